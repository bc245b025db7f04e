# expect-status: failed
# expect-message: shape
# Returns the final carry (the grand total, a scalar) instead of the stacked ys.
import jax.numpy as jnp
from jax import lax


def cumulative_sum(x):
    def step(total, x_t):
        total = total + x_t
        return total, total

    total, _ = lax.scan(step, jnp.zeros((), x.dtype), x)
    return total
