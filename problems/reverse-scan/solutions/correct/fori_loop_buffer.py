# A fori_loop that walks t = T-1, ..., 0 and writes each return into a buffer.
import jax.numpy as jnp
from jax import lax


def discounted_returns(rewards, gamma):
    T = rewards.shape[0]

    def body(i, state):
        g, out = state
        t = T - 1 - i
        g = rewards[t] + gamma * g
        return g, out.at[t].set(g)

    _, out = lax.fori_loop(0, T, body, (jnp.float32(0.0), jnp.zeros_like(rewards)))
    return out
