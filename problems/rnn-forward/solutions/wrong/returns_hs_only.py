# expect-status: failed
# expect-message: structure
# Returns only hs; the problem asks for the pair (h_T, hs).
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x_t + params["b"])
        return h, h

    _, hs = lax.scan(step, h0, xs)
    return hs
