# A hand-written parallel scan (Hillis and Steele): log2(T) rounds, each combining every
# element with the one k places earlier. The Python loop runs log2(T) times, not T times.
import jax.numpy as jnp


def linear_recurrence(a, b, h0):
    b = b.at[0].add(a[0] * h0)
    T = a.shape[0]
    k = 1
    while k < T:
        # the prefix ending k steps earlier; the identity map (1, 0) before the start
        a_prev = jnp.concatenate([jnp.ones_like(a[:k]), a[:-k]])
        b_prev = jnp.concatenate([jnp.zeros_like(b[:k]), b[:-k]])
        a, b = a_prev * a, a * b_prev + b
        k *= 2
    return b
