import jax
import jax.numpy as jnp


def scan_layers(params, x):
    def layer(h, wb):
        W_l, b_l = wb
        h = jnp.tanh(jnp.dot(h, W_l) + b_l)
        return h, h

    y, ys = jax.lax.scan(layer, x, (params["W"], params["b"]))
    return y, ys
