"""Reference solution for running-max."""

import jax
import jax.numpy as jnp
from jax import lax


def running_max(x: jax.Array) -> jax.Array:
    """Inclusive running maximum of a vector, computed with ``lax.scan``.

    Args:
        x: float32 array of shape (T,).

    Returns:
        float32 array of shape (T,) where ``out[t] = max(x[0], ..., x[t])``.
    """

    def step(best: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        best = jnp.maximum(best, x_t)
        return best, best

    _, ys = lax.scan(step, jnp.array(-jnp.inf, dtype=x.dtype), x)
    return ys
