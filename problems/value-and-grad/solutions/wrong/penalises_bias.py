# expect-status: failed
# expect-message: mismatch
# Puts the bias into the L2 penalty too (l2 * (|W|^2 + |b|^2)).
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_fn(p):
        r = x @ p["W"] + p["b"] - y
        return jnp.mean(r**2) + l2 * (jnp.sum(p["W"] ** 2) + jnp.sum(p["b"] ** 2))

    return jax.value_and_grad(loss_fn)(params)
