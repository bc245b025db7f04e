# expect-status: failed
# expect-message: unrolled
# Right values, but a Python loop over the examples: B copies of the body under jit.
import jax.numpy as jnp


def batched_residuals(x_batch, W, y_cols):
    columns = []
    for b in range(x_batch.shape[0]):
        x = x_batch[b]
        columns.append(x / jnp.linalg.norm(x) @ W - y_cols[:, b])
    return jnp.stack(columns, axis=1)
