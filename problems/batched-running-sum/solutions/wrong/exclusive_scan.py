# expect-status: failed
# expect-message: mismatch
# Emits the total before adding x_t: every row is shifted one step late.
import jax
import jax.numpy as jnp
from jax import lax


def batched_running_sum(x_batch):
    def per_row(row):
        def step(total, x_t):
            return total + x_t, total

        return lax.scan(step, jnp.zeros((), row.dtype), row)[1]

    return jax.vmap(per_row)(x_batch)
