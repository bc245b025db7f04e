import jax
import jax.numpy as jnp
from jax import lax


def ema_trajectory(init, target, decay, n):
    """Relax a state towards a fixed target with an exponential moving average.

    ``s_t = decay * s_{t-1} + (1 - decay) * target`` for t = 1, ..., n, elementwise.

    Args:
        init: s_0, float32 array of shape (D,).
        target: float32 array of shape (D,).
        decay: per-component decay rates in [0, 1), float32 array of shape (D,).
        n: static Python int >= 1, the number of steps.

    Returns:
        float32 array of shape (n, D): the states s_1, ..., s_n stacked (not s_0).
    """

    def step(s, _):
        # TODO: one EMA step; return (new_carry, y_t)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, init, xs=None, length=n)")
