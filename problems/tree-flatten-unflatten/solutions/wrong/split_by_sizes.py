# expect-status: error
# expect-message: split
# Passes the leaf sizes to jnp.split, which expects cut points: the pieces have the wrong
# lengths (or jnp.split rejects the cut points outright).
import jax
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    vector = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
    pieces = jnp.split(flat, [leaf.size for leaf in leaves[:-1]])
    rebuilt = [p.reshape(leaf.shape) for p, leaf in zip(pieces, leaves)]
    return vector, jax.tree_util.tree_unflatten(treedef, rebuilt)
