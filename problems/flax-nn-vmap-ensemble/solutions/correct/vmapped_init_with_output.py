# init_with_output already runs the member on x: vmapping it over the split keys gives
# the predictions directly. The member is written in setup() style.
import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    def setup(self):
        self.fc1 = nn.Dense(self.hidden)
        self.fc2 = nn.Dense(self.out)

    def __call__(self, x):
        return self.fc2(jnp.maximum(self.fc1(x), 0.0))


def ensemble_predict(seed, x, members, hidden, out):
    def one_member(key):
        y, _variables = MLP(hidden, out).init_with_output(key, x)
        return y

    return jax.vmap(one_member)(jax.random.split(jax.random.key(seed), members))
