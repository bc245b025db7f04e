# expect-status: failed
# expect-message: mismatch
# Swaps the weights: keeps (1 - decay) of the old state and mixes in decay of the target.
from jax import lax


def ema_trajectory(init, target, decay, n):
    def step(s, _):
        s = (1 - decay) * s + decay * target
        return s, s

    _, ys = lax.scan(step, init, xs=None, length=n)
    return ys
