# expect-status: failed
# expect-message: mismatch
# jnp.flip without axis= reverses the feature axis as well as time.
import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    def run(p, h, seq):
        def step(h, x_t):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
            return h, h

        return lax.scan(step, h, seq)[1]

    hs_f = run(params["fwd"], h0["fwd"], xs)
    hs_b = jnp.flip(run(params["bwd"], h0["bwd"], jnp.flip(xs, axis=0)))
    return jnp.concatenate([hs_f, hs_b], axis=-1)
