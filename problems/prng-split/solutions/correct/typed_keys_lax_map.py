# New-style typed keys (jax.random.key), lax.map over the subkeys, and key_data to hand
# back the raw uint32 key.
import jax
import jax.numpy as jnp
from jax import lax


def sample_gaussians(seed, mean, std, n):
    key = jax.random.key(seed)
    keys = jax.random.split(key, n + 1)
    carry_on, draw_keys = keys[0], keys[1:]
    eps = lax.map(lambda k: jax.random.normal(k, (mean.shape[0],)), draw_keys)
    samples = eps * std[None, :] + mean[None, :]
    return samples, jax.random.key_data(carry_on)
