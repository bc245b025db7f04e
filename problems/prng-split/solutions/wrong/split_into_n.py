# expect-status: failed
# expect-message: mismatch
# Splits into n keys instead of n + 1: keys[0] is both drawn from and returned.
import jax


def sample_gaussians(seed, mean, std, n):
    keys = jax.random.split(jax.random.PRNGKey(seed), n)
    eps = jax.vmap(lambda k: jax.random.normal(k, mean.shape))(keys)
    return mean + std * eps, keys[0]
