# expect-status: error
# expect-message: inconsistent sizes
# in_axes=0 slices x along its batch axis as if every member had its own input.
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
    Ensemble = nn.vmap(
        MLP,
        variable_axes={"params": 0},
        split_rngs={"params": True},
        in_axes=0,
        out_axes=0,
        axis_size=members,
    )
    model = Ensemble(hidden, out)
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
