# Writes the scan for one scalar channel, maps it over the D channels with jax.vmap,
# and transposes the (D, n) result to time-first (n, D).
import jax
from jax import lax


def _one_channel(s0, tgt, d, n):
    def step(s, _):
        s = d * s + (1 - d) * tgt
        return s, s

    return lax.scan(step, s0, None, length=n)[1]


def ema_trajectory(init, target, decay, n):
    per_channel = jax.vmap(lambda s0, tgt, d: _one_channel(s0, tgt, d, n))
    return per_channel(init, target, decay).T
