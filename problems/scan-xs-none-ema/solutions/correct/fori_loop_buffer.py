# lax.fori_loop writing each new state into a preallocated (n, D) buffer.
import jax.numpy as jnp
from jax import lax


def ema_trajectory(init, target, decay, n):
    def body(i, carry):
        s, buf = carry
        s = decay * s + (1 - decay) * target
        return s, buf.at[i].set(s)

    buf = jnp.zeros((n,) + init.shape, init.dtype)
    _, buf = lax.fori_loop(0, n, body, (init, buf))
    return buf
