# expect-status: error
# expect-message: tracer
# Calls int() on the carry inside the step: the carry is a tracer, not a Python number.
import jax.numpy as jnp
from jax import lax


def powers_of_two(n):
    def step(p, _):
        return p * 2, jnp.int32(int(p))

    _, ys = lax.scan(step, jnp.int32(1), xs=None, length=n)
    return ys
