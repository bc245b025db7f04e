# expect-status: failed
# expect-message: mismatch
# Walks the tree with its own stack (last in, first out): the leaves come out in a
# different order from JAX's, for the vector and for the rebuilt tree alike.
import jax.numpy as jnp


def _leaf_paths(tree):
    stack, paths = [((), tree)], []
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((path + (k,), v) for k, v in node.items())
        else:
            paths.append((path, node))
    return paths


def flatten_and_rebuild(params, flat):
    paths = _leaf_paths(params)
    vector = jnp.concatenate([jnp.ravel(leaf) for _, leaf in paths])
    rebuilt: dict = {}
    offset = 0
    for path, leaf in paths:
        node = rebuilt
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = flat[offset : offset + leaf.size].reshape(leaf.shape)
        offset += leaf.size
    return vector, rebuilt
