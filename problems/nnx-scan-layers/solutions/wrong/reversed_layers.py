# expect-status: failed
# expect-message: mismatch
# Scans the stack with reverse=True: layer L-1 is applied first.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, features, *, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)

    def __call__(self, x):
        return x + jnp.tanh(self.linear(x))


def nnx_scan_layers(seed, x, L):
    @nnx.split_rngs(splits=L)
    @nnx.vmap(in_axes=(0,), out_axes=0)
    def create(rngs):
        return Block(x.shape[-1], rngs=rngs)

    forward = nnx.scan(
        lambda h, layer: layer(h), in_axes=(nnx.Carry, 0), out_axes=nnx.Carry, reverse=True
    )
    return forward(x, create(nnx.Rngs(seed)))
