# expect-status: error
# expect-message: dropout
# Never passes a "dropout" key to apply: the init key is the "params" stream only.
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
    variables = model.init(jax.random.PRNGKey(seed), x, train=False)
    return model.apply(variables, x, train=train)
