"""Reference solution for bidirectional-rnn."""

import jax
import jax.numpy as jnp
from jax import lax


def _elman_scan(
    p: dict[str, jax.Array], h0: jax.Array, xs: jax.Array, *, reverse: bool
) -> jax.Array:
    """The states of ``h = tanh(W_hh h + W_xh x + b)`` over ``xs``, shape (T, H).

    With ``reverse=True`` the scan visits xs[T-1], ..., xs[0] but still writes the state
    computed at step t to row t, so the rows come out aligned with the inputs.
    """

    def step(h_prev: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = jnp.tanh(p["W_hh"] @ h_prev + p["W_xh"] @ x_t + p["b"])
        return h, h

    _, hs = lax.scan(step, h0, xs, reverse=reverse)
    return hs


def bidirectional_rnn(
    params: dict[str, dict[str, jax.Array]], h0: dict[str, jax.Array], xs: jax.Array
) -> jax.Array:
    """A bidirectional Elman RNN: one pass left to right, one right to left.

    Args:
        params: {"fwd": p, "bwd": p}, each p a dict with "W_hh" (H, H), "W_xh" (H, D)
            and "b" (H,).
        h0: {"fwd": (H,), "bwd": (H,)}: the initial state of each direction (the
            backward one is the state "after" the last input, before it is read).
        xs: inputs, shape (T, D), time first.

    Returns:
        (T, 2H): row t is [forward state after x_0..x_t, backward state after
        x_{T-1}..x_t].
    """
    hs_fwd = _elman_scan(params["fwd"], h0["fwd"], xs, reverse=False)
    hs_bwd = _elman_scan(params["bwd"], h0["bwd"], xs, reverse=True)
    return jnp.concatenate([hs_fwd, hs_bwd], axis=-1)
