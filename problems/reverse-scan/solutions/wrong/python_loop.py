# expect-status: failed
# expect-message: unrolled
# Right numbers, but the backwards Python loop is unrolled into T copies under jit.
import jax.numpy as jnp


def discounted_returns(rewards, gamma):
    g = jnp.zeros((), rewards.dtype)
    out = []
    for t in reversed(range(rewards.shape[0])):
        g = rewards[t] + gamma * g
        out.append(g)
    return jnp.stack(out[::-1])
