# expect-status: failed
# expect-message: mismatch
# Scans over the reversed rewards but forgets to flip the outputs back: G_{T-1} comes first.
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards, gamma):
    def step(g, r_t):
        g = r_t + gamma * g
        return g, g

    _, backwards = lax.scan(step, jnp.zeros((), rewards.dtype), rewards[::-1])
    return backwards
