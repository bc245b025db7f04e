import jax
import jax.numpy as jnp


def lstm_forward(params, h0, c0, xs):
    def step(carry, x_t):
        h, c = carry
        z = jnp.dot(params["W"], x_t) + jnp.dot(params["U"], h) + params["b"]
        i, f, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    (h_T, c_T), hs = jax.lax.scan(step, (h0, c0), xs)
    return (h_T, c_T), hs
