import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    def run(p, h, reverse):
        def step(h, x_t):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
            return h, h

        _, hs = lax.scan(step, h, xs, reverse=reverse)
        return hs

    hs_f = run(params["fwd"], h0["fwd"], reverse=False)
    hs_b = run(params["bwd"], h0["bwd"], reverse=True)
    return jnp.concatenate([hs_f, hs_b], axis=1)
