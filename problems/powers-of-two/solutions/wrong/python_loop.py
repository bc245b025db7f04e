# expect-status: failed
# expect-message: unrolled
# A Python loop with jnp ops: unrolled into n copies under jit.
import jax.numpy as jnp


def powers_of_two(n):
    p = jnp.int32(1)
    out = []
    for _ in range(n):
        out.append(p)
        p = p * 2
    return jnp.stack(out)
