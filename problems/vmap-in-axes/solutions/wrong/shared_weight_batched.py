# expect-status: error
# expect-message: inconsistent sizes
# Leaves in_axes at its default 0 for every argument: W is sliced along D like a batch.
import jax
import jax.numpy as jnp


def batched_residuals(x_batch, W, y_cols):
    def residual(x, W, y):
        return x / jnp.linalg.norm(x) @ W - y

    return jax.vmap(residual, out_axes=1)(x_batch, W, y_cols.T)
