# expect-status: failed
# expect-message: mismatch
# Leaves out the bias b.
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x_t)
        return h, h

    return lax.scan(step, h0, xs)
