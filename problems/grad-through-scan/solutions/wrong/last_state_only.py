# expect-status: failed
# expect-message: mismatch
# Puts only the final state into the loss, against the last target; every state counts.
import jax
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(params, h0, xs, ys):
    def loss_fn(p):
        def step(h, x_t):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b"])
            return h, h

        h_T, _ = lax.scan(step, h0, xs)
        return jnp.mean((h_T - ys[-1]) ** 2)

    return jax.value_and_grad(loss_fn)(params)
