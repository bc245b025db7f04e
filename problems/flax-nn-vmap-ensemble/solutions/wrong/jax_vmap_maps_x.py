# expect-status: error
# expect-message: inconsistent sizes
# jax.vmap(model.apply) with the default in_axes=0 maps x too, pairing member e with row e.
import flax.linen as nn
import jax


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        return nn.Dense(self.out, name="fc2")(h)


def ensemble_predict(seed, x, members, hidden, out):
    model = MLP(hidden, out)
    keys = jax.random.split(jax.random.PRNGKey(seed), members)
    variables = jax.vmap(lambda k: model.init(k, x))(keys)
    return jax.vmap(model.apply)(variables, x)
