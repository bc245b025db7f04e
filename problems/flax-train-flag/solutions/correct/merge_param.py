# nn.merge_param style: `deterministic` may come from the field or the call; dropout
# before the relu is the same thing (relu(m * h / (1 - p)) == m * relu(h) / (1 - p)).
import flax.linen as nn
import jax


class DropoutMLP(nn.Module):
    hidden: int
    out: int
    rate: float
    deterministic: bool | None = None

    @nn.compact
    def __call__(self, x, deterministic=None):
        deterministic = nn.merge_param("deterministic", self.deterministic, deterministic)
        h = nn.Dense(self.hidden, name="fc1")(x)
        h = nn.Dropout(self.rate, name="dropout")(h, deterministic=deterministic)
        return nn.Dense(self.out, name="fc2")(nn.relu(h))


def dropout_mlp(x, seed, train, hidden, out, rate):
    model = DropoutMLP(hidden, out, rate)
    variables = model.init(jax.random.PRNGKey(seed), x, deterministic=True)
    dropout_key = jax.random.PRNGKey(seed + 1)
    return model.apply(variables, x, deterministic=not train, rngs={"dropout": dropout_key})
