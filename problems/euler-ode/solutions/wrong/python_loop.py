# expect-status: failed
# expect-message: unrolled
# Right values, but the Python loop is unrolled into n Euler steps under jit.
import jax.numpy as jnp


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    theta, omega = state0[0], state0[1]
    rows = []
    for _ in range(n):
        theta, omega = (
            theta + dt * omega,
            omega + dt * (-g_over_l * jnp.sin(theta) - damping * omega),
        )
        rows.append(jnp.stack([theta, omega]))
    return jnp.stack(rows)
