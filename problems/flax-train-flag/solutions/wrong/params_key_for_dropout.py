# expect-status: failed
# expect-message: mismatch
# Reuses the parameter key PRNGKey(seed) as the dropout key: another mask.
import flax.linen as nn
import jax
import jax.numpy as jnp


class DropoutMLP(nn.Module):
    hidden: int
    out: int
    rate: float

    @nn.compact
    def __call__(self, x, train):
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        h = nn.Dropout(rate=self.rate, name="dropout")(h, deterministic=not train)
        return nn.Dense(self.out, name="fc2")(h)


def dropout_mlp(x, seed, train, hidden, out, rate):
    model = DropoutMLP(hidden, out, rate)
    key = jax.random.PRNGKey(seed)
    variables = model.init(key, x, train=False)
    return model.apply(variables, x, train=train, rngs={"dropout": key})
