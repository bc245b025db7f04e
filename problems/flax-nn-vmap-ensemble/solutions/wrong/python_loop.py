# expect-status: failed
# expect-message: unrolled
# The right keys and values, but a Python loop over members: E copies of the program.
import flax.linen as nn
import jax
import jax.numpy as jnp


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
    return jnp.stack([model.apply(model.init(k, x), x) for k in keys])
