# expect-status: failed
# expect-message: mismatch
# Splits jax.random.key(seed) itself instead of a key drawn from nnx.Rngs(seed):
# E different members, but not the ones split_rngs gives.
import jax
from flax import nnx


class Member(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    keys = jax.random.split(jax.random.key(seed), E)
    ensemble = nnx.vmap(lambda k: Member(x.shape[-1], hidden, features, rngs=nnx.Rngs(k)))(keys)
    return nnx.vmap(lambda m, b: m(b), in_axes=(0, None))(ensemble, x)
