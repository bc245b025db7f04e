# expect-status: failed
# expect-message: transpose
# Right in_axes but the default out_axes=0: the residuals come back as rows, (B, K).
import jax
import jax.numpy as jnp


def batched_residuals(x_batch, W, y_cols):
    def residual(x, W, y):
        return x / jnp.linalg.norm(x) @ W - y

    return jax.vmap(residual, in_axes=(0, None, 1))(x_batch, W, y_cols)
