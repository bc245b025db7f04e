# The flag as a module field (setup style): Dropout gets `deterministic` at construction,
# and the eval-mode copy of the module is the one that is initialised.
import flax.linen as nn
import jax


class DropoutMLP(nn.Module):
    hidden: int
    out: int
    rate: float
    train: bool = False

    def setup(self):
        self.fc1 = nn.Dense(self.hidden)
        self.dropout = nn.Dropout(self.rate, deterministic=not self.train)
        self.fc2 = nn.Dense(self.out)

    def __call__(self, x):
        return self.fc2(self.dropout(nn.relu(self.fc1(x))))


def dropout_mlp(x, seed, train, hidden, out, rate):
    params = DropoutMLP(hidden, out, rate).init(jax.random.PRNGKey(seed), x)["params"]
    model = DropoutMLP(hidden, out, rate, train=train)
    rngs = {"dropout": jax.random.PRNGKey(seed + 1)} if train else {}
    return model.apply({"params": params}, x, rngs=rngs)
