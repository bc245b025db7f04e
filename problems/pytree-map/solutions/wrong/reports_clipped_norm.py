# expect-status: failed
# expect-message: output[1]
# Right update, but reports the norm after clipping (min(norm, max_norm)), not before.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(grads)))
    c = jnp.minimum(1.0, max_norm / norm)
    clipped = jax.tree_util.tree_map(lambda g: c * g, grads)
    new_params = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, clipped)
    clipped_norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(clipped)))
    return new_params, clipped_norm
