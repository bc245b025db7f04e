# expect-status: failed
# expect-message: mismatch
# Clips every leaf by its own norm instead of scaling all leaves by one global factor.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(grads)))

    def update(p, g):
        c = jnp.minimum(1.0, max_norm / jnp.linalg.norm(g))
        return p - lr * c * g

    return jax.tree_util.tree_map(update, params, grads), norm
