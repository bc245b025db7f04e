# expect-status: error
# expect-message: collection
# Forgets variable_broadcast: the scanned cell gets no "params" collection at all.
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
        ScanCell = nn.scan(Cell, split_rngs={"params": False})
        return ScanCell(self.hidden, name="cell")(jnp.zeros((self.hidden,)), xs)[1]


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(H).apply(variables, xs)
