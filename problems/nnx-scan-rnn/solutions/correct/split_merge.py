# Functional style: split the cell into (graphdef, state) and merge it back inside the
# step; the zero state comes from the cell's own initialize_carry.
import jax
from flax import nnx


def scan_rnn_forward(seed, x, hidden, T):
    D = x.shape[-1]
    cell = nnx.GRUCell(in_features=D, hidden_features=hidden, rngs=nnx.Rngs(params=seed))
    graphdef, state = nnx.split(cell)

    def step(h, x_t):
        h_new, _ = nnx.merge(graphdef, state)(h, x_t)
        return h_new, None

    # The default carry initialiser is zeros; the Rngs argument is required but unused.
    h0 = cell.initialize_carry((D,), nnx.Rngs(0))
    h_T, _ = jax.lax.scan(step, h0, x[:T])
    return h_T
