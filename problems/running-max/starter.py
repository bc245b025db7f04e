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

    def step(carry, x_t):
        # TODO: return (new_carry, y_t); what should the carry start at?
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, init, x)")
