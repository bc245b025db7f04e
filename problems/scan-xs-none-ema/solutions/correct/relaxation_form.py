# The same update written as "move a fraction of the remaining gap": s + (1-d)(target - s)
# equals d*s + (1-d)*target. The step takes its constants through functools.partial.
import functools

from jax import lax


def _relax(s, _, *, target, rate):
    s = s + rate * (target - s)
    return s, s


def ema_trajectory(init, target, decay, n):
    step = functools.partial(_relax, target=target, rate=1.0 - decay)
    _, ys = lax.scan(step, init, length=n)
    return ys
