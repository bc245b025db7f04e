"""Reference solution for tree-flatten-unflatten."""

import jax
from jax.flatten_util import ravel_pytree


def flatten_and_rebuild(params, flat: jax.Array) -> tuple[jax.Array, dict]:
    """Flatten ``params`` into one vector, and rebuild a tree like ``params`` from ``flat``.

    Args:
        params: a nested dict of float32 arrays (any keys, any nesting, any shapes).
        flat: float32 array of shape (P,), P = the total number of elements of params.

    Returns:
        (vector, rebuilt): ``vector`` (P,) holds the leaves of params in JAX's leaf
        order (dict keys sorted), each raveled row-major; ``rebuilt`` has the structure
        and leaf shapes of params, filled from ``flat`` in that same order.
    """
    vector, unravel = ravel_pytree(params)
    return vector, unravel(flat)
