# expect-status: failed
# expect-message: cuts or bends the gradient
# Right values, but stop_gradient on the carry truncates backpropagation through time
# to a single step: the gradient with respect to h0 is zero.
import jax.numpy as jnp
from jax import lax


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = lax.stop_gradient(h)
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x_t + params["b"])
        return h, h

    return lax.scan(step, h0, xs)
