# expect-status: failed
# expect-message: shape
# Gives fc1 the output width and fc2 the hidden width.
import flax.linen as nn
import jax


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.out, name="fc1")(x))
        return nn.Dense(self.hidden, name="fc2")(h)


def init_and_apply(seed, x, hidden, out):
    model = MLP(hidden, out)
    variables = model.init(jax.random.PRNGKey(seed), x)
    return model.apply(variables, x), variables["params"]
