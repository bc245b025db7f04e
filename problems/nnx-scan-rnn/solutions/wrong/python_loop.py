# expect-status: failed
# expect-message: unrolled
# The seed's "brutal" loop: right values, but T cell calls unrolled under jit.
import jax.numpy as jnp
from flax import nnx


def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))
    h = jnp.zeros((hidden,))
    for t in range(T):
        h, _ = cell(h, x[t])
    return h
