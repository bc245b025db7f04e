# Scans over time indices and slices x inside the step (x[:T] is never materialised).
import jax.numpy as jnp
from flax import nnx
from jax import lax


def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))

    def step(h, t):
        h, y = cell(h, x[t])
        return h, y

    h_T, _ = lax.scan(step, jnp.zeros(hidden, x.dtype), jnp.arange(T))
    return h_T
