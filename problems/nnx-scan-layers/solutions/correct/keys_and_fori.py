# Plain JAX around NNX: split the key by hand, jax.vmap a function that builds one Block
# from one key and returns its state, then a fori_loop that indexes layer i of the stack.
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
    keys = jax.random.split(nnx.Rngs(seed)(), L)  # what split_rngs(splits=L) does
    graphdef = nnx.graphdef(nnx.eval_shape(lambda: Block(H, rngs=nnx.Rngs(0))))
    states = jax.vmap(lambda k: nnx.state(Block(H, rngs=nnx.Rngs(k))))(keys)

    def body(i, h):
        layer = nnx.merge(graphdef, jax.tree.map(lambda a: a[i], states))
        return layer(h)

    return jax.lax.fori_loop(0, L, body, x)
