# expect-status: failed
# expect-message: mismatch
# Puts the lifted module inside another module as a named submodule: its init keys are
# folded with the name "members", so every member differs from the asked-for one.
import flax.linen as nn
import jax


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        return nn.Dense(self.out, name="fc2")(h)


class Ensemble(nn.Module):
    members: int
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        VMLP = nn.vmap(
            MLP,
            variable_axes={"params": 0},
            split_rngs={"params": True},
            in_axes=None,
            axis_size=self.members,
        )
        return VMLP(self.hidden, self.out, name="members")(x)


def ensemble_predict(seed, x, members, hidden, out):
    model = Ensemble(members, hidden, out)
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
