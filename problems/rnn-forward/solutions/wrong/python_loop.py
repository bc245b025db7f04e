# expect-status: failed
# expect-message: unrolled
# Right values, but the Python loop is unrolled into T copies of the cell under jit.
import jax.numpy as jnp


def rnn_forward(params, h0, xs):
    h = h0
    hs = []
    for t in range(xs.shape[0]):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ xs[t] + params["b"])
        hs.append(h)
    return h, jnp.stack(hs)
