import jax
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    """Elman RNN ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)`` over a sequence.

    Args:
        params: dict with "W_hh" (H, H), "W_xh" (H, D) and "b" (H,).
        h0: initial hidden state, shape (H,).
        xs: inputs, shape (T, D), time first.

    Returns:
        (h_T, hs): the last hidden state, shape (H,), and all hidden states h_1..h_T,
        shape (T, H).
    """

    def step(h_prev, x_t):
        # TODO: one RNN step; return (new_carry, y_t)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, h0, xs)")
