# expect-status: failed
# expect-message: shape
# Prepends an element for h0 but forgets to drop its row: T + 1 rows instead of T.
import jax.numpy as jnp
from jax import lax


def linear_recurrence(a, b, h0):
    def combine(x, y):
        return x[0] * y[0], y[0] * x[1] + y[1]

    a = jnp.concatenate([jnp.ones_like(h0)[None], a])
    b = jnp.concatenate([h0[None], b])
    _, h = lax.associative_scan(combine, (a, b))
    return h
