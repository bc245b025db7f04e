# expect-status: failed
# expect-message: structure
# Differentiates with respect to the wrong argument (argnums=1 is h0): the gradient is
# one (H,) array, not a dict shaped like params.
import jax
import jax.numpy as jnp
from jax import lax


def _loss(params, h0, xs, ys):
    def step(h, x_t):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x_t + params["b"])
        return h, h

    _, hs = lax.scan(step, h0, xs)
    return jnp.mean((hs - ys) ** 2)


def rnn_loss_and_grads(params, h0, xs, ys):
    return jax.value_and_grad(_loss, argnums=1)(params, h0, xs, ys)
