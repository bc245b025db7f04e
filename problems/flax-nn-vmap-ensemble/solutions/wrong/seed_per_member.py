# expect-status: failed
# expect-message: mismatch
# A Python loop with PRNGKey(seed + e) per member: other keys than the split of PRNGKey(seed).
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
    ys = []
    for e in range(members):
        variables = model.init(jax.random.PRNGKey(seed + e), x)
        ys.append(model.apply(variables, x))
    return jnp.stack(ys)
