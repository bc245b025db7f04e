import jax
import jax.numpy as jnp


def clipped_sgd_step(params, grads, lr, max_norm):
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
    # TODO: compute the global norm over every leaf of grads
    # TODO: update every leaf of params with the matching leaf of grads
    raise NotImplementedError("see jax.tree_util.tree_leaves and jax.tree_util.tree_map")
