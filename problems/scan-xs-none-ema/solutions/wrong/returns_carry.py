# expect-status: failed
# expect-message: shape
# Returns only the final state s_n (the carry) instead of the whole trajectory.
from jax import lax


def ema_trajectory(init, target, decay, n):
    def step(s, _):
        s = decay * s + (1 - decay) * target
        return s, s

    s_n, _ = lax.scan(step, init, xs=None, length=n)
    return s_n
