# Emits a dict of per-step scalars; lax.scan stacks each entry into an (n,) array, and
# the two trajectories are joined into (n, 2) after the loop.
import jax.numpy as jnp
from jax import lax


def simulate_pendulum(state0, g_over_l, damping, dt, n):
    def step(s, _):
        new = {
            "theta": s["theta"] + dt * s["omega"],
            "omega": s["omega"] - dt * (g_over_l * jnp.sin(s["theta"]) + damping * s["omega"]),
        }
        return new, new

    init = {"theta": state0[0], "omega": state0[1]}
    _, ys = lax.scan(step, init, length=n)
    return jnp.stack([ys["theta"], ys["omega"]], axis=-1)
