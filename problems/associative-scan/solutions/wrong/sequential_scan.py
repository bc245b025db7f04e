# expect-status: failed
# expect-message: associative_scan
# Right numbers from lax.scan, but that is the sequential loop this problem replaces.
from jax import lax


def linear_recurrence(a, b, h0):
    def step(h, ab):
        a_t, b_t = ab
        h = a_t * h + b_t
        return h, h

    _, hs = lax.scan(step, h0, (a, b))
    return hs
