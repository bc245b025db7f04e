# expect-status: failed
# expect-message: mismatch
# Ad hoc seeding, PRNGKey(seed + 1 + i) for draw i, instead of splitting one key.
import jax
import jax.numpy as jnp


def sample_gaussians(seed, mean, std, n):
    rows = [
        mean + std * jax.random.normal(jax.random.PRNGKey(seed + 1 + i), mean.shape)
        for i in range(n)
    ]
    return jnp.stack(rows), jax.random.PRNGKey(seed + n + 1)
