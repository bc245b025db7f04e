# expect-status: failed
# expect-message: mismatch
# Scans the reversed sequence but never flips the backward states back: rows misaligned.
import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    def run(p, h, seq):
        def step(h, x_t):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
            return h, h

        return lax.scan(step, h, seq)[1]

    hs_f = run(params["fwd"], h0["fwd"], xs)
    hs_b = run(params["bwd"], h0["bwd"], xs[::-1])
    return jnp.concatenate([hs_f, hs_b], axis=-1)
