# expect-status: failed
# expect-message: inf where the reference is finite
# Emits the carry *before* the update: an exclusive scan that starts with -inf.
import jax.numpy as jnp
from jax import lax


def running_max(x):
    def step(best, x_t):
        return jnp.maximum(best, x_t), best

    _, ys = lax.scan(step, jnp.array(-jnp.inf, x.dtype), x)
    return ys
