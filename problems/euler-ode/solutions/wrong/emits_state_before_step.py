# expect-status: failed
# expect-message: mismatch
# Emits the state before the step: the trajectory starts at state0 and misses the last state.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(s, _):
        theta, omega = s[0], s[1]
        new = s + dt * jnp.stack([omega, -g_over_l * jnp.sin(theta) - damping * omega])
        return new, s

    _, ys = lax.scan(step, state0, None, length=n)
    return ys
