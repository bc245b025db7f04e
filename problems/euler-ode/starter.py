import jax
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    """A damped pendulum integrated with n explicit (forward) Euler steps.

    theta' = omega,  omega' = -g_over_l * sin(theta) - damping * omega.
    One step evaluates both derivatives at the OLD state and moves by dt.

    Args:
        state0: float32 array of shape (2,): [theta_0, omega_0].
        g_over_l: float32 scalar, g / L.
        damping: float32 scalar, the damping coefficient.
        dt: float32 scalar, the step size.
        n: static Python int >= 1, the number of steps.

    Returns:
        float32 array of shape (n, 2): row k is [theta, omega] after k + 1 steps.
    """

    def step(state, _):
        # TODO: one explicit Euler step; return (new_carry, y_t)
        raise NotImplementedError

    raise NotImplementedError("use lax.scan(step, state0, xs=None, length=n)")
