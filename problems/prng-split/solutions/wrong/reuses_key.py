# expect-status: failed
# expect-message: mismatch
# Draws every sample from the same key: all n rows come out identical.
import jax
import jax.numpy as jnp


def sample_gaussians(seed, mean, std, n):
    key = jax.random.PRNGKey(seed)
    keys = jax.random.split(key, n + 1)
    rows = [mean + std * jax.random.normal(key, mean.shape) for _ in range(n)]
    return jnp.stack(rows), keys[0]
