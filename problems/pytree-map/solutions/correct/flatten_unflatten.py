# Flattens both trees to leaf lists, works on the lists, and rebuilds the tree with the
# treedef of params.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    p_leaves, treedef = jax.tree_util.tree_flatten(params)
    g_leaves = treedef.flatten_up_to(grads)
    squares = jnp.stack([jnp.vdot(g, g) for g in g_leaves])
    norm = jnp.sqrt(jnp.sum(squares))
    scale = jnp.where(norm > max_norm, max_norm / norm, 1.0)
    new_leaves = [p - (lr * scale) * g for p, g in zip(p_leaves, g_leaves)]
    return jax.tree_util.tree_unflatten(treedef, new_leaves), norm
