import jax
import jax.numpy as jnp
from jax import lax


def scan_layers(params, x):
    """L tanh layers ``x <- tanh(x @ W[l] + b[l])``, applied in order l = 0..L-1.

    Args:
        params: dict with "W" (L, H, H) and "b" (L, H): layer l uses W[l] and b[l].
        x: the input batch, shape (N, H).

    Returns:
        (y, ys): the last layer's output, shape (N, H), and every layer's output,
        shape (L, N, H).
    """

    def layer(x, p):
        # TODO: one layer; return (new_carry, y_l)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan over the layer axis of the weights")
