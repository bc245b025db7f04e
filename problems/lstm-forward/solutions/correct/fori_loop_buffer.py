# A lax.fori_loop that writes each h_t into a preallocated (T, H) buffer; the gates are
# sliced with explicit indices instead of jnp.split.
import jax
import jax.numpy as jnp
from jax import lax


def lstm_forward(params, h0, c0, xs):
    T, H = xs.shape[0], h0.shape[0]
    W, U, b = params["W"], params["U"], params["b"]

    def body(t, state):
        h, c, hs = state
        z = jnp.einsum("gd,d->g", W, xs[t]) + jnp.einsum("gh,h->g", U, h) + b
        i = jax.nn.sigmoid(z[0:H])
        f = jax.nn.sigmoid(z[H : 2 * H])
        g = jnp.tanh(z[2 * H : 3 * H])
        o = jax.nn.sigmoid(z[3 * H : 4 * H])
        c = f * c + i * g
        h = o * jnp.tanh(c)
        return h, c, hs.at[t].set(h)

    hs0 = jnp.zeros((T, H), dtype=h0.dtype)
    h_T, c_T, hs = lax.fori_loop(0, T, body, (h0, c0, hs0))
    return (h_T, c_T), hs
