# The step takes params explicitly (bound with functools.partial), emits only ys, and
# reads h_T off the last row of hs.
import functools

import jax.numpy as jnp
from jax import lax


def _cell(params, h, x):
    h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x + params["b"])
    return h, h


def rnn_forward(params, h0, xs):
    _, hs = lax.scan(functools.partial(_cell, params), h0, xs)
    return hs[-1], hs
