# expect-status: failed
# expect-message: shape
# Puts the 1-d slices of flat back into the tree without reshaping them to the leaf shapes.
import jax
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    vector = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
    pieces, offset = [], 0
    for leaf in leaves:
        pieces.append(flat[offset : offset + leaf.size])
        offset += leaf.size
    return vector, jax.tree_util.tree_unflatten(treedef, pieces)
