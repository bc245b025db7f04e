import jax
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    """Flatten ``params`` into one vector, and rebuild a tree like ``params`` from ``flat``.

    Args:
        params: a nested dict of float32 arrays (any keys, any nesting, any shapes).
        flat: float32 array of shape (P,), P = the total number of elements of params.

    Returns:
        (vector, rebuilt): ``vector`` (P,) holds the leaves of params in JAX's leaf
        order (dict keys sorted), each raveled row-major; ``rebuilt`` has the structure
        and leaf shapes of params, filled from ``flat`` in that same order.
    """
    # TODO: get the leaves of params in JAX's order, and the structure (treedef)
    # TODO: vector = the raveled leaves, concatenated
    # TODO: rebuilt = flat cut into leaf-sized pieces, reshaped, put back in the structure
    raise NotImplementedError
