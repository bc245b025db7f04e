# expect-status: failed
# expect-message: mismatch
# Folds h0 into the first input without the decay: b_1 + h0 instead of b_1 + a_1 * h0.
import jax


def linear_recurrence(a, b, h0):
    def combine(earlier, later):
        return earlier[0] * later[0], later[0] * earlier[1] + later[1]

    b = b.at[0].add(h0)
    _, h = jax.lax.associative_scan(combine, (a, b))
    return h
