import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    """LSTM over a sequence; gates fused in the order i, f, g, o.

    Args:
        params: dict with "W" (4H, D), "U" (4H, H) and "b" (4H,). Rows [0:H] are the
            input gate i, [H:2H] the forget gate f, [2H:3H] the candidate g and
            [3H:4H] the output gate o.
        h0: initial hidden state, shape (H,).
        c0: initial cell state, shape (H,).
        xs: inputs, shape (T, D), time first.

    Returns:
        ((h_T, c_T), hs): the last hidden and cell states, each of shape (H,), and all
        hidden states h_1..h_T, shape (T, H).
    """

    def step(carry, x_t):
        h_prev, c_prev = carry
        # TODO: the four gates, the new cell state and the new hidden state;
        # return (new_carry, y_t)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, (h0, c0), xs)")
