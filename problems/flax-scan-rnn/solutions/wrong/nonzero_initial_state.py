# expect-status: failed
# expect-message: mismatch
# Starts the recurrence from ones instead of the zero state.
import flax.linen as nn
import jax.numpy as jnp


class Cell(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, h, x):
        h = jnp.tanh(
            nn.Dense(self.hidden, use_bias=False, name="W_hh")(h)
            + nn.Dense(self.hidden, name="W_xh")(x)
        )
        return h, h


class Model(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, xs):
        ScanCell = nn.scan(Cell, variable_broadcast="params", split_rngs={"params": False})
        return ScanCell(self.hidden, name="cell")(jnp.ones((self.hidden,)), xs)[1]


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(H).apply(variables, xs)
