# expect-status: failed
# expect-message: mismatch
# Adds the +1 forget-gate bias of some initialisers on top of b, which already holds it.
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    def step(carry, x_t):
        h, c = carry
        z = params["W"] @ x_t + params["U"] @ h + params["b"]
        i, f, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f + 1.0) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    return lax.scan(step, (h0, c0), xs)
