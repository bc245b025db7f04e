"""Reference solution for reverse-scan."""

import jax
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards: jax.Array, gamma: jax.Array) -> jax.Array:
    """Discounted returns ``G_t = r_t + gamma * G_{t+1}`` (with ``G_T = 0``).

    Args:
        rewards: float32 array of shape (T,).
        gamma: float32 array of shape (), the discount factor.

    Returns:
        float32 array of shape (T,) holding G_0, ..., G_{T-1}.
    """

    def step(future: jax.Array, r_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        g = r_t + gamma * future
        return g, g

    _, returns = lax.scan(step, jnp.zeros((), dtype=rewards.dtype), rewards, reverse=True)
    return returns
