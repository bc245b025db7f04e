# expect-status: failed
# expect-message: scan
# Correct values from the closed form target + decay**t * (init - target) over
# jnp.arange: no loop at all, so the scan check fails.
import jax.numpy as jnp


def ema_trajectory(init, target, decay, n):
    t = jnp.arange(1, n + 1, dtype=init.dtype)[:, None]
    return target + decay ** t * (init - target)
