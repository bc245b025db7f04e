# expect-status: failed
# expect-message: structure
# Uses jax.grad and returns only the gradient dict, not the pair (loss, grads).
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_fn(p):
        r = x @ p["W"] + p["b"] - y
        return jnp.mean(r**2) + l2 * jnp.sum(p["W"] ** 2)

    return jax.grad(loss_fn)(params)
