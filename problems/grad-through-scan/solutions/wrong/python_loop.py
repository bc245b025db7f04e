# expect-status: failed
# expect-message: unrolled
# Right values, but the forward pass is a Python loop: unrolled under jit, and its
# gradient is unrolled too, so the program grows with T.
import jax
import jax.numpy as jnp


def rnn_loss_and_grads(params, h0, xs, ys):
    def loss_fn(p):
        h = h0
        total = 0.0
        for t in range(xs.shape[0]):
            h = jnp.tanh(p["W_hh"] @ h + p["W_xh"] @ xs[t] + p["b"])
            total = total + jnp.sum((h - ys[t]) ** 2)
        return total / ys.size

    return jax.value_and_grad(loss_fn)(params)
