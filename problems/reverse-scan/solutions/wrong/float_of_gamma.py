# expect-status: error
# expect-message: tracer
# Calls float() on gamma: under jit gamma is a tracer, not a Python number.
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards, gamma):
    discount = float(gamma)

    def step(g, r_t):
        g = r_t + discount * g
        return g, g

    _, returns = lax.scan(step, jnp.zeros((), rewards.dtype), rewards, reverse=True)
    return returns
