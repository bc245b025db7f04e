# expect-status: failed
# expect-message: mismatch
# Composes in the wrong order (later map first): the operator is not commutative.
import jax


def linear_recurrence(a, b, h0):
    def combine(earlier, later):
        a_e, b_e = earlier
        a_l, b_l = later
        return a_e * a_l, a_e * b_l + b_e

    b = b.at[0].add(a[0] * h0)
    _, h = jax.lax.associative_scan(combine, (a, b))
    return h
