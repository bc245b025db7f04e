# No jax.tree_util at all: a hand-written recursion over nested dicts, for both the sum
# of squares and the update.
import jax.numpy as jnp


def _sum_squares(tree):
    if isinstance(tree, dict):
        return sum(_sum_squares(v) for v in tree.values())
    return jnp.sum(jnp.square(tree))


def _update(p, g, step):
    if isinstance(p, dict):
        return {k: _update(p[k], g[k], step) for k in p}
    return p - step * g


def clipped_sgd_step(params, grads, lr, max_norm):
    norm = jnp.sqrt(_sum_squares(grads))
    c = jnp.minimum(1.0, max_norm / norm)
    return _update(params, grads, lr * c), norm
