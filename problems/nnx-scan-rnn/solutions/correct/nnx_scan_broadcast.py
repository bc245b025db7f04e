# nnx.scan, the lifted transform: the cell is broadcast (in_axes None), the state is
# the Carry, and the inputs are scanned along axis 0.
import jax.numpy as jnp
from flax import nnx


def _step(cell, h, x_t):
    return cell(h, x_t)


def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))
    scanned = nnx.scan(_step, in_axes=(None, nnx.Carry, 0), out_axes=(nnx.Carry, 0))
    h_T, _hs = scanned(cell, jnp.zeros((hidden,)), x[:T])
    return h_T
