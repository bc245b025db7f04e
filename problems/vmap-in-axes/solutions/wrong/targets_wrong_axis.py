# expect-status: error
# expect-message: mismatch
# Reads y_cols along axis 0: each example gets a row of y_cols, not its own column.
import jax
import jax.numpy as jnp


def batched_residuals(x_batch, W, y_cols):
    def residual(x, W, y):
        return x / jnp.linalg.norm(x) @ W - y

    return jax.vmap(residual, in_axes=(0, None, 0), out_axes=1)(x_batch, W, y_cols)
