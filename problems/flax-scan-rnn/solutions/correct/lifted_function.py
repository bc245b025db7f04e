# nn.scan over a function whose first argument is a module instance (the correct form of
# "scan a function"): the cell instance named "cell" is passed in when calling the lift.
import flax.linen as nn
import jax.numpy as jnp


class Cell(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, h, x):
        pre = nn.Dense(self.hidden, use_bias=False, name="W_hh")(h)
        pre = pre + nn.Dense(self.hidden, name="W_xh")(x)
        h = jnp.tanh(pre)
        return h, h


def _step(cell, h, x):
    return cell(h, x)


class Outer(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, xs):
        cell = Cell(self.hidden, name="cell")
        scan_fn = nn.scan(
            _step, variable_broadcast="params", split_rngs={"params": False}, length=xs.shape[0]
        )
        _, hs = scan_fn(cell, jnp.zeros((self.hidden,)), xs)
        return hs


def flax_rnn_forward(variables, xs):
    return Outer(variables["params"]["cell"]["W_xh"]["bias"].shape[0]).apply(variables, xs)
