# A generic geometric-sequence step, specialised with functools.partial.
import functools

import jax.numpy as jnp
from jax import lax


def _geometric_step(value, _, *, ratio):
    return value * ratio, value


def powers_of_two(n):
    step = functools.partial(_geometric_step, ratio=jnp.int32(2))
    _, ys = lax.scan(step, jnp.ones((), jnp.int32), length=n)
    return ys
