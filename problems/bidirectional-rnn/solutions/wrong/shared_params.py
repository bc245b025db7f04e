# expect-status: failed
# expect-message: mismatch
# Uses the forward parameters for the backward pass too; params["bwd"] is never read.
import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    p = params["fwd"]

    def step(h, x_t):
        h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
        return h, h

    hs_f = lax.scan(step, h0["fwd"], xs)[1]
    hs_b = lax.scan(step, h0["bwd"], xs, reverse=True)[1]
    return jnp.concatenate([hs_f, hs_b], axis=-1)
