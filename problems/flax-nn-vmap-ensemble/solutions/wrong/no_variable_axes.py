# expect-status: error
# expect-message: collection
# Forgets variable_axes: the vmapped member sees no "params" collection at all.
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
    Ensemble = nn.vmap(MLP, split_rngs={"params": True}, in_axes=None, axis_size=members)
    model = Ensemble(hidden, out)
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
