# Carries (theta, omega) as a tuple of scalars and stacks them into one row per step.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(carry, _):
        theta, omega = carry
        alpha = -g_over_l * jnp.sin(theta) - damping * omega
        # Both right-hand sides use the old theta and omega.
        theta, omega = theta + dt * omega, omega + dt * alpha
        return (theta, omega), jnp.stack([theta, omega])

    _, rows = lax.scan(step, (state0[0], state0[1]), None, length=n)
    return rows
