# expect-status: failed
# expect-message: mismatch
# Hand-written layer that applies the recurrent kernel as kernel @ h (PyTorch's
# (out, in) convention), i.e. transposed relative to nn.Dense.
import flax.linen as nn
import jax.numpy as jnp


class Recurrent(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, h):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (self.hidden, self.hidden))
        return kernel @ h


class Cell(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, h, x):
        h = jnp.tanh(Recurrent(self.hidden, name="W_hh")(h) + nn.Dense(self.hidden, name="W_xh")(x))
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
