# expect-status: error
# expect-message: shape
# Writes W[l] @ x with x of shape (N, H): runs only when N == H, and is wrong there.
import jax.numpy as jnp
from jax import lax


def scan_layers(params, x):
    def layer(h, p):
        W_l, b_l = p
        h = jnp.tanh(W_l @ h + b_l)
        return h, h

    return lax.scan(layer, x, (params["W"], params["b"]))
