# expect-status: failed
# expect-message: structure
# Differentiates W and b separately and returns them as a tuple instead of a dict like params.
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_wb(W, b):
        return jnp.mean((x @ W + b - y) ** 2) + l2 * jnp.sum(W**2)

    return jax.value_and_grad(loss_wb, argnums=(0, 1))(params["W"], params["b"])
