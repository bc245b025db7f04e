# expect-status: failed
# expect-message: unrolled
# Loops over the rows in Python: one scan per row, unrolled N times, and no vmap.
import jax.numpy as jnp
from jax import lax


def batched_running_sum(x_batch):
    def per_row(row):
        def step(total, x_t):
            return total + x_t, total + x_t

        return lax.scan(step, jnp.zeros((), row.dtype), row)[1]

    return jnp.stack([per_row(row) for row in x_batch])
