# jax.tree.map visits the leaves in the same order as jax.tree.leaves, so a running
# offset (plain Python, the sizes are static) fills the same structure from flat.
import jax
import jax.numpy as jnp
from jax import lax


def flatten_and_rebuild(params, flat):
    vector = jnp.concatenate([x.reshape(-1) for x in jax.tree.leaves(params)])

    offset = [0]

    def take(leaf):
        start = offset[0]
        offset[0] += leaf.size
        return lax.dynamic_slice_in_dim(flat, start, leaf.size).reshape(leaf.shape)

    return vector, jax.tree.map(take, params)
