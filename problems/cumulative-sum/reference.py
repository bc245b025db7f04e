"""Reference solution for cumulative-sum."""

import jax
import jax.numpy as jnp
from jax import lax


def cumulative_sum(x: jax.Array) -> jax.Array:
    """Inclusive running sum of a vector, computed with ``lax.scan``.

    Args:
        x: float32 array of shape (T,).

    Returns:
        float32 array of shape (T,) where ``out[t] = x[0] + ... + x[t]``.
    """

    def step(total: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        total = total + x_t
        return total, total

    _, ys = lax.scan(step, jnp.zeros((), dtype=x.dtype), x)
    return ys
