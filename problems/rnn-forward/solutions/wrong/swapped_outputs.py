# expect-status: failed
# expect-message: shape
# Returns (hs, h_T) instead of (h_T, hs).
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x_t + params["b"])
        return h, h

    h_T, hs = lax.scan(step, h0, xs)
    return hs, h_T
