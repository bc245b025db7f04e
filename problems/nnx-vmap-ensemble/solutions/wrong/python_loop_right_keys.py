# expect-status: failed
# expect-message: unrolled
# The right keys (split by hand) and the right values, but a Python loop builds and
# applies the members one by one: the program grows with E.
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
    keys = jax.random.split(nnx.Rngs(seed)(), E)
    outs = []
    for i in range(E):
        member = Member(x.shape[-1], hidden, features, rngs=nnx.Rngs(keys[i]))
        outs.append(member(x))
    return jnp.stack(outs)
