"""Reference solution for nnx-scan-rnn."""

import jax
import jax.numpy as jnp
from flax import nnx
from jax import lax


def scan_rnn_forward(seed: int, x: jax.Array, hidden: int, T: int) -> jax.Array:
    """Run an ``nnx.GRUCell`` over ``x[:T]`` from a zero state with ``lax.scan``.

    Args:
        seed: static int, the seed of ``nnx.Rngs`` used to build the cell.
        x: inputs, shape (T_total, D), time first.
        hidden: static int H, the hidden size.
        T: static int, 1 <= T <= T_total, number of steps to run.

    Returns:
        The final hidden state h_T, shape (H,).
    """
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))

    def step(h: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        return cell(h, x_t)

    h_T, _ = lax.scan(step, jnp.zeros((hidden,), dtype=x.dtype), x[:T])
    return h_T
