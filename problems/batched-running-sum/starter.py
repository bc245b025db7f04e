import jax
import jax.numpy as jnp
from jax import lax


def batched_running_sum(x_batch: jax.Array) -> jax.Array:
    """Running sum of every row, by ``jax.vmap`` of a ``lax.scan``.

    Args:
        x_batch: float32 array of shape (N, T).

    Returns:
        float32 array of shape (N, T) where ``out[i, t] = x_batch[i, :t + 1].sum()``.
    """

    def per_row(row):
        # TODO: running sum of one row of shape (T,) with lax.scan
        raise NotImplementedError

    # TODO: apply per_row to every row with jax.vmap
    raise NotImplementedError
