# expect-status: failed
# expect-message: mismatch
# Sums the squared errors instead of averaging them: the data term is N*K times too large.
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_fn(p):
        r = x @ p["W"] + p["b"] - y
        return jnp.sum(r**2) + l2 * jnp.sum(p["W"] ** 2)

    return jax.value_and_grad(loss_fn)(params)
