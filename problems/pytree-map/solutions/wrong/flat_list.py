# expect-status: failed
# expect-message: structure
# Updates the flattened leaves but returns them as a list instead of rebuilding the tree.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    p_leaves = jax.tree_util.tree_leaves(params)
    g_leaves = jax.tree_util.tree_leaves(grads)
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in g_leaves))
    c = jnp.minimum(1.0, max_norm / norm)
    return [p - lr * c * g for p, g in zip(p_leaves, g_leaves)], norm
