# expect-status: error
# expect-message: collection
# Passes the inner parameter tree to apply instead of the variables dict {"params": ...}.
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
    params = model.init(jax.random.PRNGKey(seed), x)["params"]
    return model.apply(params, x), params
