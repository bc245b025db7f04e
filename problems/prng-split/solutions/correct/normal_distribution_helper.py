# Uses a per-key helper that draws N(mean, std^2) directly and vmaps it, with
# in_axes=None for the shared mean and std.
import jax
import jax.numpy as jnp


def _draw(key, mean, std):
    return mean + std * jax.random.normal(key, mean.shape)


def sample_gaussians(seed, mean, std, n):
    root = jax.random.PRNGKey(seed)
    new_key, *subkeys = jax.random.split(root, n + 1)
    samples = jax.vmap(_draw, in_axes=(0, None, None))(jnp.stack(subkeys), mean, std)
    return samples, new_key
