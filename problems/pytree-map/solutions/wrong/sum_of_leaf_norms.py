# expect-status: failed
# expect-message: mismatch
# Adds up the norms of the leaves instead of taking one square root of the summed squares.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = sum(jnp.linalg.norm(g.ravel()) for g in jax.tree_util.tree_leaves(grads))
    c = jnp.minimum(1.0, max_norm / norm)
    return jax.tree_util.tree_map(lambda p, g: p - lr * c * g, params, grads), norm
