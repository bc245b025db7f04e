# expect-status: failed
# expect-message: shape
# Concatenates along time (axis 0), giving (2T, H) instead of (T, 2H).
import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    def run(p, h, reverse):
        def step(h, x_t):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
            return h, h

        return lax.scan(step, h, xs, reverse=reverse)[1]

    hs_f = run(params["fwd"], h0["fwd"], False)
    hs_b = run(params["bwd"], h0["bwd"], True)
    return jnp.concatenate([hs_f, hs_b])
