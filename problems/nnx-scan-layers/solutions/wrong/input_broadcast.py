# expect-status: failed
# expect-message: mismatch
# Marks x as broadcast (None) instead of nnx.Carry: every layer sees the ORIGINAL x,
# and the last layer's output Block_{L-1}(x) is returned.
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

    forward = nnx.scan(lambda h, layer: layer(h), in_axes=(None, 0), out_axes=0)
    ys = forward(x, create(nnx.Rngs(seed)))
    return ys[-1]
