# expect-status: failed
# expect-message: scan
# Right numbers, but no lax.scan: the exercise asks for a scan.
import jax.numpy as jnp


def cumulative_sum(x):
    return jnp.cumsum(x)
