"""Reference solution for euler-ode."""

import jax
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(
    state0: jax.Array, g_over_l: jax.Array, damping: jax.Array, dt: jax.Array, n: int
) -> jax.Array:
    """A damped pendulum integrated with n explicit (forward) Euler steps.

    theta' = omega,  omega' = -g_over_l * sin(theta) - damping * omega, and one step is
    ``state_{k+1} = state_k + dt * f(state_k)``: both derivatives at the *old* state.

    Args:
        state0: float32 array of shape (2,): [theta_0, omega_0].
        g_over_l: float32 scalar, g / L (1 / s^2).
        damping: float32 scalar, the damping coefficient (1 / s).
        dt: float32 scalar, the step size (s).
        n: static Python int >= 1, the number of steps.

    Returns:
        float32 array of shape (n, 2): row k is [theta_{k+1}, omega_{k+1}], the state
        after k + 1 steps.
    """

    def f(state: jax.Array) -> jax.Array:
        theta, omega = state[0], state[1]
        return jnp.stack([omega, -g_over_l * jnp.sin(theta) - damping * omega])

    def step(state: jax.Array, _: None) -> tuple[jax.Array, jax.Array]:
        state = state + dt * f(state)
        return state, state

    _, trajectory = lax.scan(step, state0, xs=None, length=n)
    return trajectory
