# expect-status: failed
# expect-message: scan
# Correct values in closed form, but no lax.scan.
import jax.numpy as jnp


def powers_of_two(n):
    return jnp.left_shift(jnp.int32(1), jnp.arange(n, dtype=jnp.int32))
