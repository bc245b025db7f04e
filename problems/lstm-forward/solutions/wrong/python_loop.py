# expect-status: failed
# expect-message: unrolled
# Right values, but the Python loop is unrolled into T copies of the cell under jit.
import jax
import jax.numpy as jnp


def lstm_forward(params, h0, c0, xs):
    h, c = h0, c0
    hs = []
    for t in range(xs.shape[0]):
        z = params["W"] @ xs[t] + params["U"] @ h + params["b"]
        i, f, g, o = jnp.split(z, 4)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        hs.append(h)
    return (h, c), jnp.stack(hs)
