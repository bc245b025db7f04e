"""Reference solution for flax-scan-rnn."""

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp


class RNNCell(nn.Module):
    """One Elman step in row-vector form: ``h = tanh(h @ K_hh + x @ K_xh + b_xh)``."""

    hidden: int

    @nn.compact
    def __call__(self, h: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = jnp.tanh(
            nn.Dense(self.hidden, use_bias=False, name="W_hh")(h)
            + nn.Dense(self.hidden, name="W_xh")(x)
        )
        return h, h


class ScanRNN(nn.Module):
    """``RNNCell`` lifted over the leading (time) axis, with weights shared by all steps."""

    hidden: int

    @nn.compact
    def __call__(self, xs: jax.Array) -> jax.Array:
        scanned_cell = nn.scan(
            RNNCell,
            variable_broadcast="params",
            split_rngs={"params": False},
            in_axes=0,
            out_axes=0,
        )
        h0 = jnp.zeros((self.hidden,), dtype=xs.dtype)
        _, hs = scanned_cell(self.hidden, name="cell")(h0, xs)
        return hs


def flax_rnn_forward(variables: dict[str, Any], xs: jax.Array) -> jax.Array:
    """Run the scanned RNN from a zero state with the given weights.

    Args:
        variables: ``{"params": {"cell": {"W_hh": {"kernel": (H, H)},
            "W_xh": {"kernel": (D, H), "bias": (H,)}}}}``.
        xs: inputs, shape (T, D), time first.

    Returns:
        The hidden states h_1, ..., h_T stacked, shape (T, H).
    """
    hidden = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return ScanRNN(hidden=hidden).apply(variables, xs)
