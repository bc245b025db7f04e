import jax
import jax.numpy as jnp
from jax import lax


def rnn_loss_and_grads(params, h0, xs, ys):
    """The mean squared error of an Elman RNN's hidden states and its gradient (BPTT).

    h_t = tanh(W_hh h_{t-1} + W_xh x_t + b) for t = 1..T, and
    loss = mean over every t and every hidden unit of (h_t - y_t) ** 2.

    Args:
        params: dict with "W_hh" (H, H), "W_xh" (H, D) and "b" (H,).
        h0: initial hidden state, shape (H,).
        xs: inputs, shape (T, D), time first.
        ys: targets for h_1..h_T, shape (T, H).

    Returns:
        (loss, grads): the scalar loss, and d loss / d params as a dict with the same
        keys and shapes as params.
    """

    def loss_fn(p):
        # TODO: run the RNN over xs with lax.scan (starting from h0) and return the loss
        raise NotImplementedError

    raise NotImplementedError("differentiate loss_fn with respect to params")
