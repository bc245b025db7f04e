# expect-status: failed
# expect-message: unrolled
# Right values, but the Python loop is unrolled into n copies of the update under jit.
import jax.numpy as jnp


def ema_trajectory(init, target, decay, n):
    s = init
    out = []
    for _ in range(n):
        s = decay * s + (1 - decay) * target
        out.append(s)
    return jnp.stack(out)
