"""Reference solution for batched-running-sum."""

import jax
import jax.numpy as jnp
from jax import lax


def batched_running_sum(x_batch: jax.Array) -> jax.Array:
    """Running sum of every row, by ``jax.vmap`` of a ``lax.scan``.

    Args:
        x_batch: float32 array of shape (N, T).

    Returns:
        float32 array of shape (N, T) where ``out[i, t] = x_batch[i, :t + 1].sum()``.
    """

    def step(total: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        total = total + x_t
        return total, total

    def per_row(row: jax.Array) -> jax.Array:
        _, ys = lax.scan(step, jnp.zeros((), dtype=row.dtype), row)
        return ys

    return jax.vmap(per_row)(x_batch)
