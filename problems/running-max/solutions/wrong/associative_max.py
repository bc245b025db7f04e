# expect-status: failed
# expect-message: no loop
# Right numbers from a parallel prefix scan, but no loop: this exercise asks for lax.scan.
import jax.numpy as jnp
from jax import lax


def running_max(x):
    return lax.associative_scan(jnp.maximum, x)
