import jax
import jax.numpy as jnp


def sample_gaussians(seed, mean, std, n):
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
    # TODO: split, draw one sample per subkey, return (samples, new_key)
    raise NotImplementedError("split the key into n + 1 keys")
