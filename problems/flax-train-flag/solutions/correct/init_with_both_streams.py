# One init_with_output call in the requested mode, with both streams named: "params"
# for the weights and "dropout" for the mask (the eval run ignores the extra key).
import flax.linen as nn
import jax


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
    rngs = {"params": jax.random.PRNGKey(seed), "dropout": jax.random.PRNGKey(seed + 1)}
    y, _variables = DropoutMLP(hidden, out, rate).init_with_output(rngs, x, train=train)
    return y
