# expect-status: failed
# expect-message: structure
# Returns (h_T, hs), dropping c_T from the final state; the problem asks for ((h_T, c_T), hs).
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    def step(carry, x_t):
        h, c = carry
        z = params["W"] @ x_t + params["U"] @ h + params["b"]
        i, f, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    (h_T, _), hs = lax.scan(step, (h0, c0), xs)
    return h_T, hs
