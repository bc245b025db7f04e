# expect-status: failed
# expect-message: structure
# Keeps the carry as a tuple and returns the tuple of stacked outputs (thetas, omegas)
# instead of one (n, 2) array.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(carry, _):
        theta, omega = carry
        new = (theta + dt * omega, omega + dt * (-g_over_l * jnp.sin(theta) - damping * omega))
        return new, new

    _, (thetas, omegas) = lax.scan(step, (state0[0], state0[1]), None, length=n)
    return thetas, omegas
