# expect-status: failed
# expect-message: scan
# Right values, but neither a scan nor a vmap.
import jax.numpy as jnp


def batched_running_sum(x_batch):
    return jnp.cumsum(x_batch, axis=1)
