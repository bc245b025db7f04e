# expect-status: error
# expect-message: shape
# Applies W to the hidden state and U to the input: only runs when D == H, and is wrong there.
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    def step(carry, x_t):
        h, c = carry
        z = params["U"] @ x_t + params["W"] @ h + params["b"]
        i, f, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    return lax.scan(step, (h0, c0), xs)
