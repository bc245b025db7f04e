# expect-status: failed
# expect-message: mismatch
# Adds the acceleration to omega without multiplying it by dt.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(s, _):
        theta, omega = s[0], s[1]
        alpha = -g_over_l * jnp.sin(theta) - damping * omega
        s = jnp.stack([theta + dt * omega, omega + alpha])
        return s, s

    _, ys = lax.scan(step, state0, None, length=n)
    return ys
