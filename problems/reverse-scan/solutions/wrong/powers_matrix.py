# expect-status: failed
# expect-message: no loop
# Right numbers from a closed form, G = M @ r with M[t, s] = gamma**(s - t) for s >= t,
# but no scan at all.
import jax.numpy as jnp


def discounted_returns(rewards, gamma):
    T = rewards.shape[0]
    idx = jnp.arange(T)
    lag = idx[None, :] - idx[:, None]
    M = jnp.where(lag >= 0, gamma ** jnp.maximum(lag, 0).astype(rewards.dtype), 0.0)
    return M @ rewards
