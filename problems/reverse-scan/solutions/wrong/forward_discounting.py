# expect-status: failed
# expect-message: mismatch
# Forgets reverse=True: a forward scan discounts the past, r_t + gamma * r_{t-1} + ...
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards, gamma):
    def step(g, r_t):
        g = r_t + gamma * g
        return g, g

    _, returns = lax.scan(step, jnp.zeros((), rewards.dtype), rewards)
    return returns
