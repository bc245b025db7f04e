# tree_flatten by hand: concatenate the raveled leaves; cut flat at the running offsets,
# reshape each piece and put the pieces back with tree_unflatten.
import jax
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    vector = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])

    pieces = []
    offset = 0
    for leaf in leaves:
        pieces.append(flat[offset : offset + leaf.size].reshape(leaf.shape))
        offset += leaf.size
    return vector, jax.tree_util.tree_unflatten(treedef, pieces)
