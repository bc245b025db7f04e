# Scans the backward cell over the reversed sequence, then flips its states back in time.
import jax.numpy as jnp
from jax import lax


def _cell(p):
    def step(h, x_t):
        h = jnp.tanh(jnp.dot(p["W_hh"], h) + jnp.dot(p["W_xh"], x_t) + p["b"])
        return h, h

    return step


def bidirectional_rnn(params, h0, xs):
    _, hs_f = lax.scan(_cell(params["fwd"]), h0["fwd"], xs)
    _, hs_b_rev = lax.scan(_cell(params["bwd"]), h0["bwd"], jnp.flip(xs, axis=0))
    hs_b = jnp.flip(hs_b_rev, axis=0)
    return jnp.hstack([hs_f, hs_b])
