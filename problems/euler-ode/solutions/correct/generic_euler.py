# A reusable forward-Euler integrator for any vector field f(y), applied to the pendulum.
import jax.numpy as jnp
from jax import lax


def euler(f, y0, dt, n):
    def step(y, _):
        y_next = y + dt * f(y)
        return y_next, y_next

    return lax.scan(step, y0, None, length=n)[1]


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def pendulum(y):
        theta, omega = y
        return jnp.array([omega, -g_over_l * jnp.sin(theta) - damping * omega])

    return euler(pendulum, state0, dt, n)
