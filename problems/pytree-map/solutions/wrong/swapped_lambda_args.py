# expect-status: failed
# expect-message: mismatch
# tree_map(f, params, grads) passes (p, g), but the lambda names them (g, p): g - lr*c*p.
import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(grads)))
    c = jnp.minimum(1.0, max_norm / norm)
    new_params = jax.tree_util.tree_map(lambda g, p: p - lr * c * g, params, grads)
    return new_params, norm
