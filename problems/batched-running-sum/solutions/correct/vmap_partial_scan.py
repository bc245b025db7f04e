# vmap of lax.scan itself, with the step and the initial carry bound by functools.partial:
# only xs is batched, so vmap returns a batched (carry, ys) pair.
import functools

import jax
import jax.numpy as jnp
from jax import lax


def _step(total, x_t):
    total = total + x_t
    return total, total


def batched_running_sum(x_batch):
    scan_row = functools.partial(lax.scan, _step, jnp.float32(0.0))
    _totals, ys = jax.vmap(scan_row)(x_batch)
    return ys
