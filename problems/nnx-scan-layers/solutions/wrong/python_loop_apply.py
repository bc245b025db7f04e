# expect-status: failed
# expect-message: unrolled
# Builds the stack correctly, then applies the layers in a Python loop: right values,
# but L copies of the layer in the program (and no loop at all).
import jax
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

    graphdef, state = nnx.split(create(nnx.Rngs(seed)))
    h = x
    for i in range(L):
        h = nnx.merge(graphdef, jax.tree.map(lambda a: a[i], state))(h)
    return h
