# Backpropagation through time by hand: a forward scan keeps every state, a reverse
# scan carries dL/dh back through the recurrence, and the weight gradients are summed
# over time with one matmul each after the loop. No jax.grad at all.
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(params, h0, xs, ys):
    W_hh, W_xh, b = params["W_hh"], params["W_xh"], params["b"]

    def forward(h, x_t):
        h = jnp.tanh(W_hh @ h + W_xh @ x_t + b)
        return h, h

    _, hs = lax.scan(forward, h0, xs)
    h_prevs = jnp.concatenate([h0[None], hs[:-1]], axis=0)  # h_{t-1} for every t
    loss = jnp.mean((hs - ys) ** 2)
    g_direct = 2.0 * (hs - ys) / hs.size  # dL/dh_t from the loss term of step t

    def backward(dh_future, inputs):
        g_t, h_t = inputs
        dh = g_t + dh_future  # everything that flows into h_t
        da = dh * (1.0 - h_t**2)  # through the tanh
        return W_hh.T @ da, da  # on to h_{t-1}; emit dL/d(pre-activation)

    _, das = lax.scan(backward, jnp.zeros_like(h0), (g_direct, hs), reverse=True)
    grads = {"W_hh": das.T @ h_prevs, "W_xh": das.T @ xs, "b": das.sum(axis=0)}
    return loss, grads
