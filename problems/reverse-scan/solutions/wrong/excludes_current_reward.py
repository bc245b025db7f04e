# expect-status: failed
# expect-message: mismatch
# Off by one: emits the carry before the update, so index t holds G_{t+1}, not G_t.
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards, gamma):
    def step(g, r_t):
        return r_t + gamma * g, g

    _, returns = lax.scan(step, jnp.zeros((), rewards.dtype), rewards, reverse=True)
    return returns
