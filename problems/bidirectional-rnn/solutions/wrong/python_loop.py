# expect-status: failed
# expect-message: unrolled
# Right values, but the Python loops are unrolled into 2T copies of the cell under jit.
import jax.numpy as jnp


def bidirectional_rnn(params, h0, xs):
    T = xs.shape[0]

    def cell(p, h, x):
        return jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x + p["b"])

    h, hs_f = h0["fwd"], []
    for t in range(T):
        h = cell(params["fwd"], h, xs[t])
        hs_f.append(h)
    h, hs_b = h0["bwd"], [None] * T
    for t in reversed(range(T)):
        h = cell(params["bwd"], h, xs[t])
        hs_b[t] = h
    return jnp.concatenate([jnp.stack(hs_f), jnp.stack(hs_b)], axis=-1)
