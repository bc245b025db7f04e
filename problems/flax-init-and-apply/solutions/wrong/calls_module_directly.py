# expect-status: error
# expect-message: unbound
# Calls the module like a function, outside init/apply: an unbound module has no variables.
import flax.linen as nn
import jax


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        return nn.Dense(self.out, name="fc2")(h)


def init_and_apply(seed, x, hidden, out):
    model = MLP(hidden, out)
    variables = model.init(jax.random.PRNGKey(seed), x)
    return model(x), variables["params"]
