import jax
import jax.numpy as jnp
from jax import lax


def linear_recurrence(a: jax.Array, b: jax.Array, h0: jax.Array) -> jax.Array:
    """States of ``h_t = a_t * h_{t-1} + b_t`` (elementwise), by a parallel scan.

    Args:
        a: float32 array of shape (T, D), the decays a_1, ..., a_T.
        b: float32 array of shape (T, D), the inputs b_1, ..., b_T.
        h0: float32 array of shape (D,), the initial state.

    Returns:
        float32 array of shape (T, D) holding h_1, ..., h_T.
    """

    def combine(earlier, later):
        # TODO: earlier and later are (a, b) pairs; return the pair of the composed map
        raise NotImplementedError

    raise NotImplementedError("use lax.associative_scan(combine, (a, b))")
