# nn.vmap with in_axes as a per-argument tuple, (None,) for the one positional input; init
# gets an explicit {"params": key} dict, and apply gets the parameters back as {"params": ...}.
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
        in_axes=(None,),
        out_axes=0,
        variable_axes={"params": 0},
        split_rngs={"params": True},
        axis_size=members,
    )
    model = Ensemble(hidden=hidden, out=out)
    params = model.init({"params": jax.random.PRNGKey(seed)}, x)["params"]
    return model.apply({"params": params}, x)
