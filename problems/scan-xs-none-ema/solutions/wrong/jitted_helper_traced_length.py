# expect-status: error
# expect-message: concrete
# Wraps a helper in jax.jit without static_argnames: inside it, n is a tracer, and
# lax.scan's length must be a concrete Python int.
import jax
from jax import lax


@jax.jit
def _run(init, target, decay, n):
    def step(s, _):
        s = decay * s + (1 - decay) * target
        return s, s

    return lax.scan(step, init, xs=None, length=n)[1]


def ema_trajectory(init, target, decay, n):
    return _run(init, target, decay, n)
