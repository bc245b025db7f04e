# expect-status: failed
# expect-message: output[1]
# Right samples, but hands back the parent key (already split) instead of keys[0].
import jax


def sample_gaussians(seed, mean, std, n):
    key = jax.random.PRNGKey(seed)
    keys = jax.random.split(key, n + 1)
    eps = jax.vmap(lambda k: jax.random.normal(k, mean.shape))(keys[1:])
    return mean + std * eps, key
