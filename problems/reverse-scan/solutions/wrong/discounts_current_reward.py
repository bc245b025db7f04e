# expect-status: failed
# expect-message: mismatch
# Applies gamma to the current reward too: gamma * (r_t + G_{t+1}).
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards, gamma):
    def step(g, r_t):
        g = gamma * (r_t + g)
        return g, g

    _, returns = lax.scan(step, jnp.zeros((), rewards.dtype), rewards, reverse=True)
    return returns
