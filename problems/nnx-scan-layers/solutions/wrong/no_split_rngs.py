# expect-status: error
# expect-message: axis 0
# nnx.vmap(in_axes=(0,)) over an Rngs that was never split: its key has no layer axis.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, features, *, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)

    def __call__(self, x):
        return x + jnp.tanh(self.linear(x))


def nnx_scan_layers(seed, x, L):
    @nnx.vmap(in_axes=(0,), out_axes=0, axis_size=L)
    def create(rngs):
        return Block(x.shape[-1], rngs=rngs)

    forward = nnx.scan(lambda h, layer: layer(h), in_axes=(nnx.Carry, 0), out_axes=nnx.Carry)
    return forward(x, create(nnx.Rngs(seed)))
