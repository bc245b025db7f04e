# expect-status: failed
# expect-message: mismatch
# Scans with reverse=True: the last layer is applied first (and ys comes out re-reversed).
import jax.numpy as jnp
from jax import lax


def scan_layers(params, x):
    def layer(h, p):
        W_l, b_l = p
        h = jnp.tanh(h @ W_l + b_l)
        return h, h

    return lax.scan(layer, x, (params["W"], params["b"]), reverse=True)
