# expect-status: failed
# expect-message: mismatch
# Emits h_prev instead of the new state: hs starts with h0 and misses h_T.
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    def step(h_prev, x_t):
        h = jnp.tanh(params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b"])
        return h, h_prev

    return lax.scan(step, h0, xs)
