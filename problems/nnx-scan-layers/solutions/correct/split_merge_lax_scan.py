# Functional style: split the stacked module into (graphdef, state) and scan jax.lax.scan
# over the state, whose every leaf has the layer axis first; the stack is built by
# calling nnx.split_rngs directly (as a context manager) instead of as a decorator.
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
    rngs = nnx.Rngs(seed)
    with nnx.split_rngs(rngs, splits=L):
        stack = nnx.vmap(lambda r: Block(H, rngs=r), in_axes=0, out_axes=0)(rngs)
    graphdef, state = nnx.split(stack)

    def step(h, layer_state):
        return nnx.merge(graphdef, layer_state)(h), None

    y, _ = jax.lax.scan(step, x, state)
    return y
