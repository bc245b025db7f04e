import flax.linen as nn
import jax.numpy as jnp


class Cell(nn.Module):
    features: int

    @nn.compact
    def __call__(self, h, x):
        h = nn.tanh(
            nn.Dense(self.features, use_bias=False, name="W_hh")(h)
            + nn.Dense(self.features, name="W_xh")(x)
        )
        return h, h


class Model(nn.Module):
    features: int

    @nn.compact
    def __call__(self, xs):
        ScanCell = nn.scan(Cell, variable_broadcast="params", split_rngs={"params": False})
        _, hs = ScanCell(self.features, name="cell")(jnp.zeros((self.features,)), xs)
        return hs


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(features=H).apply(variables, xs)
