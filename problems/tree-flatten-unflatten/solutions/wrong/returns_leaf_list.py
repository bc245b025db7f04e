# expect-status: failed
# expect-message: structure
# Never uses the treedef: returns the reshaped leaves as a list instead of the nested dict.
import jax
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    leaves = jax.tree_util.tree_leaves(params)
    vector = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
    pieces, offset = [], 0
    for leaf in leaves:
        pieces.append(flat[offset : offset + leaf.size].reshape(leaf.shape))
        offset += leaf.size
    return vector, pieces
