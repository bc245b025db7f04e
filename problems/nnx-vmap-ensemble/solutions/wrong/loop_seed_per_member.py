# expect-status: failed
# expect-message: mismatch
# Builds the members in a Python loop, member i from nnx.Rngs(seed + i): E different
# members, but not the ones asked for (and E copies of everything in the program).
import jax
import jax.numpy as jnp
from flax import nnx


class Member(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    members = [Member(x.shape[-1], hidden, features, rngs=nnx.Rngs(seed + i)) for i in range(E)]
    return jnp.stack([m(x) for m in members])
