# expect-status: failed
# expect-message: mismatch
# Lays every leaf out column-major (ravels leaf.T, rebuilds by reshaping to the reversed
# shape and transposing back): self-consistent, but not JAX's row-major order.
import jax
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    vector = jnp.concatenate([jnp.ravel(leaf.T) for leaf in leaves])
    pieces, offset = [], 0
    for leaf in leaves:
        piece = flat[offset : offset + leaf.size].reshape(leaf.shape[::-1]).T
        pieces.append(piece)
        offset += leaf.size
    return vector, jax.tree_util.tree_unflatten(treedef, pieces)
