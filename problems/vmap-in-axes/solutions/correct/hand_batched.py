# expect-status: passed
# No vmap: the whole batch at once, with a per-row norm (keepdims) and an explicit
# transpose. Accepted, with advice to try jax.vmap.
import jax.numpy as jnp


def batched_residuals(x_batch, W, y_cols):
    u = x_batch / jnp.linalg.norm(x_batch, axis=1, keepdims=True)  # (B, D)
    return (u @ W).T - y_cols  # (K, B)
