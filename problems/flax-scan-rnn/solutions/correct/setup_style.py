# setup()-style modules: the scanned cell is an attribute called `cell`, so its
# variables live under "cell" just like a named submodule.
import flax.linen as nn
import jax.numpy as jnp


class Cell(nn.Module):
    hidden: int

    def setup(self):
        self.W_hh = nn.Dense(self.hidden, use_bias=False)
        self.W_xh = nn.Dense(self.hidden, use_bias=True)

    def __call__(self, h, x):
        h = jnp.tanh(self.W_hh(h) + self.W_xh(x))
        return h, h


ScannedCell = nn.scan(
    Cell,
    variable_broadcast="params",
    split_rngs={"params": False},
    in_axes=0,
    out_axes=0,
)


class RNN(nn.Module):
    hidden: int

    def setup(self):
        self.cell = ScannedCell(self.hidden)

    def __call__(self, xs):
        return self.cell(jnp.zeros((self.hidden,), xs.dtype), xs)[1]


def flax_rnn_forward(variables, xs):
    hidden = variables["params"]["cell"]["W_hh"]["kernel"].shape[-1]
    return RNN(hidden).apply(variables, xs)
