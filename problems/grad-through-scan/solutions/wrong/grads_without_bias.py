# expect-status: failed
# expect-message: structure
# Differentiates only the two weight matrices: the returned grads have no "b" entry.
import jax
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(params, h0, xs, ys):
    def loss_fn(weights):
        W_hh, W_xh = weights

        def step(h, x_t):
            h = jnp.tanh(W_hh @ h + W_xh @ x_t + params["b"])
            return h, h

        _, hs = lax.scan(step, h0, xs)
        return jnp.mean((hs - ys) ** 2)

    loss, (g_hh, g_xh) = jax.value_and_grad(loss_fn)((params["W_hh"], params["W_xh"]))
    return loss, {"W_hh": g_hh, "W_xh": g_xh}
