# expect-status: failed
# expect-message: cannot be differentiated in reverse mode
# Right values from a lax.while_loop that writes each state into a buffer; but a while
# loop has no reverse-mode gradient, so this RNN could never be trained.
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    T = xs.shape[0]
    hs0 = jnp.zeros((T, h0.shape[0]), h0.dtype)

    def cond(state):
        return state[0] < T

    def body(state):
        t, h, hs = state
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ xs[t] + params["b"])
        return t + 1, h, hs.at[t].set(h)

    _, h_T, hs = lax.while_loop(cond, body, (0, h0, hs0))
    return h_T, hs
