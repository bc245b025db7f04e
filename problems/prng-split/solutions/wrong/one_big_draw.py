# expect-status: failed
# expect-message: mismatch
# Splits once and draws all n samples as one (n, D) array from a single subkey.
import jax


def sample_gaussians(seed, mean, std, n):
    new_key, subkey = jax.random.split(jax.random.PRNGKey(seed))
    eps = jax.random.normal(subkey, (n, mean.shape[0]))
    return mean + std * eps, new_key
