# init_with_output returns the output of the init pass together with the variables, and
# a typed key from jax.random.key carries the same bits as PRNGKey.
import flax.linen as nn
import jax


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(features=self.hidden, name="fc1")(x)
        x = nn.relu(x)
        return nn.Dense(features=self.out, name="fc2")(x)


def init_and_apply(seed, x, hidden, out):
    y, variables = MLP(hidden=hidden, out=out).init_with_output(jax.random.key(seed), x)
    return y, variables["params"]
