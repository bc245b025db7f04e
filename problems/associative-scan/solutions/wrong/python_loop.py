# expect-status: failed
# expect-message: unrolled
# Right numbers, but the sequential Python loop is unrolled into T steps under jit.
import jax.numpy as jnp


def linear_recurrence(a, b, h0):
    h = h0
    hs = []
    for t in range(a.shape[0]):
        h = a[t] * h + b[t]
        hs.append(h)
    return jnp.stack(hs)
