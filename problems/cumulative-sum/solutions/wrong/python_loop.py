# expect-status: failed
# expect-message: unrolled
# Right numbers, but a Python loop is unrolled into T copies of the body under jit.
import jax.numpy as jnp


def cumulative_sum(x):
    total = jnp.zeros((), x.dtype)
    out = []
    for t in range(x.shape[0]):
        total = total + x[t]
        out.append(total)
    return jnp.stack(out)
