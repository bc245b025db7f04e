"""Reference solution for nnx-scan-layers."""

import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    """One residual layer: ``x + tanh(x @ kernel + bias)``."""

    def __init__(self, features: int, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return x + jnp.tanh(self.linear(x))


def _apply_layer(x: jax.Array, layer: Block) -> jax.Array:
    # Inside nnx.scan, `layer` is ONE Block: the slice of the stacked parameters for
    # this step. `x` is the carry, threaded from one layer to the next.
    return layer(x)


def nnx_scan_layers(seed: int, x: jax.Array, L: int) -> jax.Array:
    """Build L Blocks stacked on a leading axis with nnx.vmap, then apply them in order
    with nnx.scan.

    Args:
        seed: static int, the seed of the one ``nnx.Rngs`` the stack is built from.
        x: input batch, shape (N, H).
        L: static int >= 1, the number of layers.

    Returns:
        The output of layer L, shape (N, H).
    """
    H = x.shape[-1]

    # split_rngs gives every layer its own key (split L ways); vmap turns the L
    # constructor calls into one and stacks each parameter on a new axis 0.
    @nnx.split_rngs(splits=L)
    @nnx.vmap(in_axes=(0,), out_axes=0)
    def create_stack(rngs: nnx.Rngs) -> Block:
        return Block(H, rngs=rngs)

    stack = create_stack(nnx.Rngs(seed))  # kernel: (L, H, H), bias: (L, H)

    # x is the carry; the stack is scanned along axis 0, layer 0 first.
    forward = nnx.scan(_apply_layer, in_axes=(nnx.Carry, 0), out_axes=nnx.Carry)
    return forward(x, stack)
