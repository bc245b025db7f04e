# expect-status: error
# expect-message: trace
# Builds the cell inside the scan body from an Rngs created outside it: drawing the
# weights mutates RNG state from inside the JAX trace, which NNX refuses.
import jax
import jax.numpy as jnp
from flax import nnx


def scan_rnn_forward(seed, x, hidden, T):
    rngs = nnx.Rngs(seed)

    def step(h, x_t):
        cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=rngs)
        return cell(h, x_t)

    h_T, _ = jax.lax.scan(step, jnp.zeros((hidden,)), x[:T])
    return h_T
