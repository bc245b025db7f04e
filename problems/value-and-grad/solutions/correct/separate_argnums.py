# Differentiates a loss of (W, b) with argnums=(0, 1) and rebuilds the params dict.
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_wb(W, b):
        r = (x @ W + b - y).ravel()
        return (r @ r) / r.size + l2 * jnp.sum(W * W)

    loss, (g_W, g_b) = jax.value_and_grad(loss_wb, argnums=(0, 1))(params["W"], params["b"])
    return loss, {"W": g_W, "b": g_b}
