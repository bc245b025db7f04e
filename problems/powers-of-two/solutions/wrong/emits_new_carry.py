# expect-status: failed
# expect-message: mismatch
# Emits the doubled value: [2, 4, 8, ...] instead of [1, 2, 4, ...].
import jax.numpy as jnp
from jax import lax


def powers_of_two(n):
    def step(p, _):
        p = p * 2
        return p, p

    _, ys = lax.scan(step, jnp.int32(1), xs=None, length=n)
    return ys
