# expect-status: failed
# expect-message: mismatch
# Linearises the pendulum (sin(theta) ~ theta): only right for tiny swings.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(s, _):
        theta, omega = s[0], s[1]
        s = s + dt * jnp.stack([omega, -g_over_l * theta - damping * omega])
        return s, s

    _, ys = lax.scan(step, state0, None, length=n)
    return ys
