# expect-status: failed
# expect-message: leading axis sizes
# Treats W as stacked (H, L, H) and scans over its middle axis: only runs when L == H.
import jax.numpy as jnp
from jax import lax


def scan_layers(params, x):
    def layer(h, p):
        W_l, b_l = p
        h = jnp.tanh(h @ W_l + b_l)
        return h, h

    return lax.scan(layer, x, (jnp.swapaxes(params["W"], 0, 1), params["b"]))
