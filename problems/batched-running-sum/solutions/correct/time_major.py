# Works on a time-major copy: vmap over axis 1 of x_batch.T and write results to axis 0.
import jax
import jax.numpy as jnp
from jax import lax


def _running_sum(row):
    def step(total, x_t):
        return total + x_t, total + x_t

    return lax.scan(step, jnp.zeros((), row.dtype), row)[1]


def batched_running_sum(x_batch):
    time_major = x_batch.T  # (T, N)
    return jax.vmap(_running_sum, in_axes=1, out_axes=0)(time_major)
