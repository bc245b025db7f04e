# expect-status: failed
# expect-message: mismatch
# Carries only h: every step rebuilds the cell state from c0, so c is never carried.
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    def step(h, x_t):
        z = params["W"] @ x_t + params["U"] @ h + params["b"]
        i, f, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f) * c0 + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return h, (h, c)

    h_T, (hs, cs) = lax.scan(step, h0, xs)
    return (h_T, cs[-1]), hs
