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

    def step(carry, r_t):
        # TODO: the carry is the return of the *next* step; return (new_carry, y_t)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, init, rewards, ...) walking backwards")
