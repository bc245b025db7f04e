# expect-status: failed
# expect-message: shape
# Returns the stacked per-step outputs (T, H) instead of the final carry (H,).
import jax
import jax.numpy as jnp
from flax import nnx


def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))
    _, ys = jax.lax.scan(lambda h, x_t: cell(h, x_t), jnp.zeros((hidden,)), x[:T])
    return ys
