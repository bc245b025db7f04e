"""Reference solution for grad-through-scan."""

import jax
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(
    params: dict[str, jax.Array], h0: jax.Array, xs: jax.Array, ys: jax.Array
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """The mean squared error of an Elman RNN's hidden states and its gradient (BPTT).

    ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)``, ``loss = mean((h_t - y_t)**2)`` over
    every t = 1..T and every hidden unit; the gradient is taken with respect to
    ``params`` only, through the whole scan.

    Args:
        params: dict with "W_hh" (H, H), "W_xh" (H, D) and "b" (H,).
        h0: initial hidden state, shape (H,).
        xs: inputs, shape (T, D), time first.
        ys: targets for h_1, ..., h_T, shape (T, H).

    Returns:
        (loss, grads): the loss, a float32 scalar, and a dict with the same keys and
        shapes as ``params`` holding d loss / d params.
    """

    def loss_fn(p: dict[str, jax.Array]) -> jax.Array:
        def step(h_prev: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
            h = jnp.tanh(p["W_hh"] @ h_prev + p["W_xh"] @ x_t + p["b"])
            return h, h

        _, hs = lax.scan(step, h0, xs)
        return jnp.mean((hs - ys) ** 2)

    return jax.value_and_grad(loss_fn)(params)
