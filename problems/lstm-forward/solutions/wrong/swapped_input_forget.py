# expect-status: failed
# expect-message: mismatch
# Gate order mixed up: reads the blocks as f, i, g, o instead of i, f, g, o.
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    def step(carry, x_t):
        h, c = carry
        z = params["W"] @ x_t + params["U"] @ h + params["b"]
        f, i, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    return lax.scan(step, (h0, c0), xs)
