# expect-status: failed
# expect-message: mismatch
# Draws a random initial state from the same Rngs before building the cell: the state
# is not zero, and the cell's weights come from a different point of the RNG stream.
import jax
from flax import nnx


def scan_rnn_forward(seed, x, hidden, T):
    rngs = nnx.Rngs(seed)
    h0 = 0.1 * jax.random.normal(rngs(), (hidden,))
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=rngs)
    h_T, _ = jax.lax.scan(lambda h, x_t: cell(h, x_t), h0, x[:T])
    return h_T
