# expect-status: failed
# expect-message: mismatch
# Emits the state as it came in: the trajectory starts with s_0 and misses s_n.
from jax import lax


def ema_trajectory(init, target, decay, n):
    def step(s, _):
        s_new = decay * s + (1 - decay) * target
        return s_new, s

    _, ys = lax.scan(step, init, xs=None, length=n)
    return ys
