# DenseGeneral layers (same parameter names and layout as Dense) and a carry that also
# counts the steps; only the stacked hidden states are returned.
import flax.linen as nn
import jax.numpy as jnp


class CountingCell(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, carry, x):
        h, t = carry
        h = jnp.tanh(
            nn.DenseGeneral(self.hidden, use_bias=False, name="W_hh")(h)
            + nn.DenseGeneral(self.hidden, name="W_xh")(x)
        )
        return (h, t + 1), h


class CountingRNN(nn.Module):
    hidden: int

    @nn.compact
    def __call__(self, xs):
        scan = nn.scan(CountingCell, variable_broadcast="params", split_rngs={"params": False})
        (_, _steps), hs = scan(self.hidden, name="cell")((jnp.zeros(self.hidden), 0), xs)
        return hs


def flax_rnn_forward(variables, xs):
    params = variables["params"]
    return CountingRNN(params["cell"]["W_hh"]["kernel"].shape[0]).apply({"params": params}, xs)
