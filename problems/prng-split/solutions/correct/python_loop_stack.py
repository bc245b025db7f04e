# One draw per subkey in a Python loop (n is static, so this is fine), stacked at the end.
import jax
import jax.numpy as jnp


def sample_gaussians(seed, mean, std, n):
    keys = jax.random.split(jax.random.PRNGKey(seed), n + 1)
    rows = []
    for i in range(n):
        eps = jax.random.normal(keys[i + 1], shape=mean.shape)
        rows.append(mean + std * eps)
    return jnp.stack(rows), keys[0]
