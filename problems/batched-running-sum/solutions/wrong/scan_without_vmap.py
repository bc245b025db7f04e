# expect-status: failed
# expect-message: vmap
# Right values with a single scan over time and a carry of shape (N,), but no vmap.
import jax.numpy as jnp
from jax import lax


def batched_running_sum(x_batch):
    def step(totals, x_col):
        totals = totals + x_col
        return totals, totals

    _, ys = lax.scan(step, jnp.zeros(x_batch.shape[0], x_batch.dtype), x_batch.T)
    return ys.T
