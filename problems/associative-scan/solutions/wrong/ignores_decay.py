# expect-status: failed
# expect-message: mismatch
# Treats the recurrence as a cumulative sum of b (plus h0), ignoring a.
import jax.numpy as jnp
from jax import lax


def linear_recurrence(a, b, h0):
    return h0 + lax.associative_scan(jnp.add, b)
