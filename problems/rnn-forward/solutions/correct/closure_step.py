import jax
import jax.numpy as jnp


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = jnp.tanh(jnp.dot(params["W_hh"], h) + jnp.dot(params["W_xh"], x_t) + params["b"])
        return h, h

    h_T, hs = jax.lax.scan(step, h0, xs)
    return h_T, hs
