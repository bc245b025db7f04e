# expect-status: failed
# expect-message: structure
# Leaves the layers unnamed: they become Dense_0 and Dense_1 (another tree, other keys).
import flax.linen as nn
import jax


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden)(x))
        return nn.Dense(self.out)(h)


def init_and_apply(seed, x, hidden, out):
    model = MLP(hidden, out)
    variables = model.init(jax.random.PRNGKey(seed), x)
    return model.apply(variables, x), variables["params"]
