# expect-status: passed
# A single scan over time with a carry of shape (N,): one loop whose program does not
# grow with the batch, which the problem accepts (with advice to try jax.vmap).
import jax.numpy as jnp
from jax import lax


def batched_running_sum(x_batch):
    def step(totals, x_col):
        totals = totals + x_col
        return totals, totals

    _, ys = lax.scan(step, jnp.zeros(x_batch.shape[0], x_batch.dtype), x_batch.T)
    return ys.T
