# expect-status: failed
# expect-message: shape
# Scans n - 1 steps, thinking the initial value counts as the first output.
import jax.numpy as jnp
from jax import lax


def powers_of_two(n):
    def step(p, _):
        p = p * 2
        return p, p

    _, ys = lax.scan(step, jnp.int32(1), xs=None, length=n - 1)
    return ys
