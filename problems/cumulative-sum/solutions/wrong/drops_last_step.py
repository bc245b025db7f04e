# expect-status: failed
# expect-message: shape
# Off by one in the length: scans over x[:-1] and returns T-1 values.
import jax.numpy as jnp
from jax import lax


def cumulative_sum(x):
    def step(total, x_t):
        total = total + x_t
        return total, total

    _, ys = lax.scan(step, jnp.zeros((), x.dtype), x[:-1])
    return ys
