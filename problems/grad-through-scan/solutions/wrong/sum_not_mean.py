# expect-status: failed
# expect-message: mismatch
# Sums the squared errors instead of averaging them: loss and grads are T * H too large.
import jax
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(params, h0, xs, ys):
    def loss_fn(p):
        def step(h, x_t):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
            return h, h

        _, hs = lax.scan(step, h0, xs)
        return jnp.sum((hs - ys) ** 2)

    return jax.value_and_grad(loss_fn)(params)
