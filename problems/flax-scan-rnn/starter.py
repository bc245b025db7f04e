import jax
import jax.numpy as jnp
import flax.linen as nn


class RNNCell(nn.Module):
    """One step: h = tanh(h @ W_hh.kernel + x @ W_xh.kernel + W_xh.bias)."""

    hidden: int

    @nn.compact
    def __call__(self, h, x):
        # TODO: two nn.Dense layers named "W_hh" (no bias) and "W_xh"; return (new_h, new_h)
        raise NotImplementedError


class ScanRNN(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, xs):
        # TODO: lift RNNCell with nn.scan, instantiate it with name="cell", start from zeros
        raise NotImplementedError


def flax_rnn_forward(variables, xs):
    """Run the scanned RNN with the given variables.

    Args:
        variables: {"params": {"cell": {"W_hh": {"kernel": (H, H)},
            "W_xh": {"kernel": (D, H), "bias": (H,)}}}}.
        xs: inputs, shape (T, D).

    Returns:
        All hidden states h_1..h_T, shape (T, H).
    """
    raise NotImplementedError
