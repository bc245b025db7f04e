"""Reference solution for scan-over-layers."""

import jax
import jax.numpy as jnp
from jax import lax


def scan_layers(params: dict[str, jax.Array], x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """A stack of L tanh layers, ``x <- tanh(x @ W[l] + b[l])``, as one scan.

    Args:
        params: dict with "W" of shape (L, H, H) (layer l maps a row vector with
            ``x @ W[l]``) and "b" of shape (L, H).
        x: the input batch, shape (N, H).

    Returns:
        (y, ys): the output of the last layer, shape (N, H), and the output of every
        layer stacked, shape (L, N, H), so that ys[-1] == y.
    """

    def layer(x: jax.Array, p: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        W_l, b_l = p
        x = jnp.tanh(x @ W_l + b_l)
        return x, x

    return lax.scan(layer, x, (params["W"], params["b"]))
