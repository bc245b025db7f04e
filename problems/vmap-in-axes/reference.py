"""Reference solution for vmap-in-axes."""

import jax
import jax.numpy as jnp


def batched_residuals(x_batch: jax.Array, W: jax.Array, y_cols: jax.Array) -> jax.Array:
    """Per-example residuals ``normalize(x) @ W - y``, batched with one ``jax.vmap``.

    Args:
        x_batch: float32 (B, D), one example per row (batched along axis 0).
        W: float32 (D, K), shared by every example.
        y_cols: float32 (K, B), one target per column (batched along axis 1).

    Returns:
        float32 (K, B): column b is the residual of example b.
    """

    def residual(x: jax.Array, W: jax.Array, y: jax.Array) -> jax.Array:
        # x: (D,), W: (D, K), y: (K,)  ->  (K,)
        u = x / jnp.linalg.norm(x)
        return u @ W - y

    return jax.vmap(residual, in_axes=(0, None, 1), out_axes=1)(x_batch, W, y_cols)
