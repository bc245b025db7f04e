# expect-status: failed
# expect-message: mismatch
# Builds ONE Block (no nnx.vmap at creation) and scans it L times: tied weights.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, features, *, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)

    def __call__(self, x):
        return x + jnp.tanh(self.linear(x))


def nnx_scan_layers(seed, x, L):
    layer = Block(x.shape[-1], rngs=nnx.Rngs(seed))
    forward = nnx.scan(
        lambda h, layer, _: (layer(h), None),
        in_axes=(nnx.Carry, None, 0),
        out_axes=(nnx.Carry, 0),
    )
    (y, _ys) = forward(x, layer, jnp.arange(L))
    return y
