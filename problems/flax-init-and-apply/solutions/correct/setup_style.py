# setup()-style module: the attribute names fc1/fc2 become the layer names. Initialised
# on a one-row dummy batch (the parameters depend only on D), applied with {"params": ...}.
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
        return self.fc2(jax.nn.relu(self.fc1(x)))


def init_and_apply(seed, x, hidden, out):
    model = MLP(hidden, out)
    params = model.init(jax.random.PRNGKey(seed), jnp.zeros((1, x.shape[-1])))["params"]
    return model.apply({"params": params}, x), params
