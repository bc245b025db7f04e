# expect-status: error
# expect-message: key
# Uses jax.random.key (typed keys) and returns the typed key instead of its raw key_data.
import jax


def sample_gaussians(seed, mean, std, n):
    keys = jax.random.split(jax.random.key(seed), n + 1)
    eps = jax.vmap(lambda k: jax.random.normal(k, mean.shape))(keys[1:])
    return mean + std * eps, keys[0]
