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

    def step(carry, x_t):
        # TODO: return (new_carry, y_t)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, init, x)")
