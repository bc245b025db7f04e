# expect-status: error
# expect-message: dict
# A dict comprehension over the top-level keys: breaks as soon as a value is a nested dict.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(grads)))
    c = jnp.minimum(1.0, max_norm / norm)
    return {k: params[k] - lr * c * grads[k] for k in params}, norm
