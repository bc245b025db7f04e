"""Reference solution for lstm-forward."""

import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(
    params: dict[str, jax.Array], h0: jax.Array, c0: jax.Array, xs: jax.Array
) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
    """An LSTM over a sequence, with the four gates fused in the order i, f, g, o.

    Args:
        params: dict with "W" of shape (4H, D), "U" of shape (4H, H) and "b" of shape
            (4H,). Rows [0:H] belong to the input gate i, [H:2H] to the forget gate f,
            [2H:3H] to the candidate g and [3H:4H] to the output gate o.
        h0: initial hidden state, shape (H,).
        c0: initial cell state, shape (H,).
        xs: inputs, shape (T, D), time first.

    Returns:
        ((h_T, c_T), hs): the last hidden and cell states, each of shape (H,), and the
        hidden states h_1, ..., h_T stacked, shape (T, H).
    """
    W, U, b = params["W"], params["U"], params["b"]

    def step(
        carry: tuple[jax.Array, jax.Array], x_t: jax.Array
    ) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
        h_prev, c_prev = carry
        z = W @ x_t + U @ h_prev + b
        z_i, z_f, z_g, z_o = jnp.split(z, 4)
        i = jax.nn.sigmoid(z_i)
        f = jax.nn.sigmoid(z_f)
        g = jnp.tanh(z_g)
        o = jax.nn.sigmoid(z_o)
        c = f * c_prev + i * g
        h = o * jnp.tanh(c)
        return (h, c), h

    return lax.scan(step, (h0, c0), xs)
