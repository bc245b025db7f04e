# expect-status: failed
# expect-message: mismatch
# W_xh is built with use_bias=False: linen ignores the unused bias in `variables`, and
# every pre-activation is off by b_xh.
import flax.linen as nn
import jax.numpy as jnp


class Cell(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, h, x):
        h = jnp.tanh(
            nn.Dense(self.hidden, use_bias=False, name="W_hh")(h)
            + nn.Dense(self.hidden, use_bias=False, name="W_xh")(x)
        )
        return h, h


class Model(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, xs):
        ScanCell = nn.scan(Cell, variable_broadcast="params", split_rngs={"params": False})
        return ScanCell(self.hidden, name="cell")(jnp.zeros((self.hidden,)), xs)[1]


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(H).apply(variables, xs)
