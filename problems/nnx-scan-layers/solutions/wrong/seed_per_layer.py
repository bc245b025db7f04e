# expect-status: failed
# expect-message: mismatch
# Builds the layers in a Python loop with nnx.Rngs(seed + i) and stacks their states:
# L different layers, but not the ones split_rngs would give.
import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, features, *, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)

    def __call__(self, x):
        return x + jnp.tanh(self.linear(x))


def nnx_scan_layers(seed, x, L):
    H = x.shape[-1]
    layers = [Block(H, rngs=nnx.Rngs(seed + i)) for i in range(L)]
    graphdef = nnx.graphdef(layers[0])
    stacked = jax.tree.map(lambda *a: jnp.stack(a), *[nnx.state(m) for m in layers])

    def step(h, s):
        return nnx.merge(graphdef, s)(h), None

    y, _ = jax.lax.scan(step, x, stacked)
    return y
