# expect-status: failed
# expect-message: unrolled
# Right numbers, but the Python loop is unrolled into T copies of the body under jit.
import jax.numpy as jnp


def running_max(x):
    best = x[0]
    out = []
    for t in range(x.shape[0]):
        best = jnp.maximum(best, x[t])
        out.append(best)
    return jnp.stack(out)
