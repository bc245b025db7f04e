# expect-status: failed
# expect-message: mismatch
# Splits PRNGKey(seed) "to be safe" and initialises with a subkey: different weights.
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
    _, init_key = jax.random.split(jax.random.PRNGKey(seed))
    variables = model.init(init_key, x)
    return model.apply(variables, x), variables["params"]
