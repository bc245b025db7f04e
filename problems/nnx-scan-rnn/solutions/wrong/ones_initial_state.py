# expect-status: failed
# expect-message: mismatch
# Starts from ones instead of the zero state.
import jax
import jax.numpy as jnp
from flax import nnx


def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))
    h_T, _ = jax.lax.scan(lambda h, x_t: cell(h, x_t), jnp.ones((hidden,)), x[:T])
    return h_T
