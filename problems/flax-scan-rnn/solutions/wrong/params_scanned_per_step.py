# expect-status: error
# expect-message: shape
# variable_axes={"params": 0} slices the kernels along time, as if each step had its own
# weights, so each step sees a row of a kernel instead of the whole matrix.
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
        ScanCell = nn.scan(Cell, variable_axes={"params": 0}, split_rngs={"params": True})
        return ScanCell(self.hidden, name="cell")(jnp.zeros((self.hidden,)), xs)[1]


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(H).apply(variables, xs)
