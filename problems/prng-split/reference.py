"""Reference solution for prng-split."""

import jax
import jax.numpy as jnp


def sample_gaussians(
    seed: int, mean: jax.Array, std: jax.Array, n: int
) -> tuple[jax.Array, jax.Array]:
    """n independent samples of N(mean, diag(std**2)), one PRNG subkey per sample.

    Protocol: ``keys = jax.random.split(jax.random.PRNGKey(seed), n + 1)``;
    ``keys[0]`` is the key handed back, ``keys[1 + i]`` draws sample i with
    ``jax.random.normal(keys[1 + i], (D,))``.

    Args:
        seed: Python int (static), the seed of the starting key.
        mean: float32 array of shape (D,).
        std: float32 array of shape (D,), positive.
        n: Python int >= 1 (static), the number of samples.

    Returns:
        (samples, new_key): samples of shape (n, D), float32, and the unused key
        keys[0], a uint32 array of shape (2,).
    """
    key = jax.random.PRNGKey(seed)
    keys = jax.random.split(key, n + 1)
    new_key, subkeys = keys[0], keys[1:]
    eps = jax.vmap(lambda k: jax.random.normal(k, mean.shape, mean.dtype))(subkeys)
    return mean + std * eps, new_key
