"""Reference solution for pytree-map."""

from typing import Any

import jax
import jax.numpy as jnp

PyTree = Any


def clipped_sgd_step(
    params: PyTree, grads: PyTree, lr: float, max_norm: float
) -> tuple[PyTree, jax.Array]:
    """One SGD step with the gradients clipped by their global norm.

    ``norm = sqrt(sum over every leaf of sum(g ** 2))``, ``c = min(1, max_norm / norm)``,
    and every leaf is updated as ``p - lr * c * g``.

    Args:
        params: nested dict of float32 arrays (any keys, any depth).
        grads: nested dict with the same structure and shapes as params.
        lr: Python float > 0, the learning rate (static).
        max_norm: Python float > 0, the largest global norm allowed (static).

    Returns:
        (new_params, norm): new_params with the structure of params, and norm the
        float32 scalar global norm of grads before clipping.
    """
    leaves = jax.tree_util.tree_leaves(grads)
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in leaves))
    factor = jnp.minimum(1.0, max_norm / norm)
    new_params = jax.tree_util.tree_map(lambda p, g: p - lr * factor * g, params, grads)
    return new_params, norm
