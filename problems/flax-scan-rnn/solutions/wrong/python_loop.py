# expect-status: failed
# expect-message: unrolled
# Calls the same cell T times in a Python loop: shared weights and right values, but
# unrolled under jit and no scan.
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
        cell = Cell(self.hidden, name="cell")
        h = jnp.zeros((self.hidden,))
        hs = []
        for t in range(xs.shape[0]):
            h, y = cell(h, xs[t])
            hs.append(y)
        return jnp.stack(hs)


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(H).apply(variables, xs)
