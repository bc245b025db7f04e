"""Reference solution for rnn-forward."""

import jax
import jax.numpy as jnp
from jax import lax


def rnn_forward(
    params: dict[str, jax.Array], h0: jax.Array, xs: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """Elman RNN ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)`` over a sequence.

    Args:
        params: dict with "W_hh" of shape (H, H), "W_xh" of shape (H, D) and "b" of
            shape (H,).
        h0: initial hidden state, shape (H,).
        xs: inputs, shape (T, D), time first.

    Returns:
        (h_T, hs): the last hidden state, shape (H,), and the hidden states
        h_1, ..., h_T stacked, shape (T, H).
    """
    W_hh, W_xh, b = params["W_hh"], params["W_xh"], params["b"]

    def step(h_prev: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = jnp.tanh(W_hh @ h_prev + W_xh @ x_t + b)
        return h, h

    return lax.scan(step, h0, xs)
