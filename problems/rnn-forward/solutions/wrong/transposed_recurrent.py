# expect-status: failed
# expect-message: mismatch
# h @ W_hh is W_hh.T @ h: the recurrent weights are applied transposed.
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = jnp.tanh(h @ params["W_hh"] + params["W_xh"] @ x_t + params["b"])
        return h, h

    return lax.scan(step, h0, xs)
