# jnp.split at the cumulative sizes (cut points, not sizes), then jax.tree.unflatten with
# the structure of params.
import jax
import jax.numpy as jnp
import numpy as np


def flatten_and_rebuild(params, flat):
    leaves = jax.tree.leaves(params)
    sizes = [int(np.prod(leaf.shape)) for leaf in leaves]
    vector = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
    pieces = jnp.split(flat, np.cumsum(sizes)[:-1])
    rebuilt = jax.tree.unflatten(
        jax.tree.structure(params),
        [p.reshape(leaf.shape) for p, leaf in zip(pieces, leaves, strict=True)],
    )
    return vector, rebuilt
