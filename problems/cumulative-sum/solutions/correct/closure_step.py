import jax
import jax.numpy as jnp


def cumulative_sum(x):
    def step(total, x_t):
        new_total = total + x_t
        return new_total, new_total

    _, ys = jax.lax.scan(step, jnp.zeros((), x.dtype), x)
    return ys
