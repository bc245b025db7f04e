# expect-status: failed
# expect-message: mismatch
# Applies each layer as W[l] @ x (here x @ W[l].T): square weights keep the shape, not the values.
import jax.numpy as jnp
from jax import lax


def scan_layers(params, x):
    def layer(h, p):
        W_l, b_l = p
        h = jnp.tanh(h @ W_l.T + b_l)
        return h, h

    return lax.scan(layer, x, (params["W"], params["b"]))
