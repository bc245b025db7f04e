# expect-status: failed
# expect-message: mismatch
# Rescales by max_norm / norm without the min with 1, so small gradients are scaled up.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(grads)))
    c = max_norm / norm
    return jax.tree_util.tree_map(lambda p, g: p - lr * c * g, params, grads), norm
