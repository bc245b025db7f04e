# expect-status: failed
# expect-message: mismatch
# Squashes all four blocks with a sigmoid: the candidate g needs tanh (it can lower c).
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    def step(carry, x_t):
        h, c = carry
        z = params["W"] @ x_t + params["U"] @ h + params["b"]
        i, f, g, o = jax.nn.sigmoid(z).reshape(4, -1)
        c = f * c + i * g
        h = o * jnp.tanh(c)
        return (h, c), h

    return lax.scan(step, (h0, c0), xs)
