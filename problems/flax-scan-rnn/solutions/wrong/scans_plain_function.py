# expect-status: error
# expect-message: Module class
# Hands nn.scan a plain (carry, x) function instead of a Module class: the lifted
# transform treats the first argument as a module and fails.
import flax.linen as nn
import jax.numpy as jnp


class Model(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, xs):
        def rnn_cell(h, x):
            h = nn.tanh(
                nn.Dense(self.hidden, use_bias=False, name="W_hh")(h)
                + nn.Dense(self.hidden, name="W_xh")(x)
            )
            return h, h

        scan = nn.scan(rnn_cell, variable_broadcast="params", split_rngs={"params": False})
        _, hs = scan(jnp.zeros((self.hidden,)), xs)
        return hs


def flax_rnn_forward(variables, xs):
    H = variables["params"]["cell"]["W_hh"]["kernel"].shape[0]
    return Model(H).apply(variables, xs)
