# Scans the raw pairs into prefix maps (A_t, B_t) and applies each to h0: h_t = A_t h0 + B_t.
import jax


def linear_recurrence(a, b, h0):
    def compose(first, then):
        return first[0] * then[0], then[0] * first[1] + then[1]

    A, B = jax.lax.associative_scan(compose, (a, b))
    return A * h0 + B
