# expect-status: failed
# expect-message: mismatch
# Semi-implicit (symplectic) Euler: updates omega first and moves theta with the NEW
# omega. A fine integrator, but not the explicit scheme the problem asks for.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(s, _):
        theta, omega = s[0], s[1]
        omega = omega + dt * (-g_over_l * jnp.sin(theta) - damping * omega)
        theta = theta + dt * omega
        s = jnp.stack([theta, omega])
        return s, s

    _, ys = lax.scan(step, state0, None, length=n)
    return ys
