"""Reference solution for associative-scan."""

import jax
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

    def combine(
        earlier: tuple[jax.Array, jax.Array], later: tuple[jax.Array, jax.Array]
    ) -> tuple[jax.Array, jax.Array]:
        # f_later(f_earlier(h)) = a_l * (a_e * h + b_e) + b_l
        a_e, b_e = earlier
        a_l, b_l = later
        return a_e * a_l, a_l * b_e + b_l

    # h_1 = a_1 * h0 + b_1: fold the initial state into the first input.
    b = b.at[0].add(a[0] * h0)
    _, h = lax.associative_scan(combine, (a, b))
    return h
