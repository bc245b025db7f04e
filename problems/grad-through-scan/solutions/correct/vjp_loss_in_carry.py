# Accumulates the squared error in the carry (targets scanned alongside the inputs) and
# pulls the gradient back with jax.vjp instead of jax.value_and_grad.
import jax
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(params, h0, xs, ys):
    def loss_fn(p):
        def step(carry, inputs):
            h, sse = carry
            x_t, y_t = inputs
            h = jnp.tanh(jnp.dot(p["W_hh"], h) + jnp.dot(p["W_xh"], x_t) + p["b"])
            return (h, sse + jnp.sum((h - y_t) ** 2)), None

        (_, sse), _ = lax.scan(step, (h0, jnp.zeros((), h0.dtype)), (xs, ys))
        return sse / ys.size

    loss, pullback = jax.vjp(loss_fn, params)
    (grads,) = pullback(jnp.ones_like(loss))
    return loss, grads
