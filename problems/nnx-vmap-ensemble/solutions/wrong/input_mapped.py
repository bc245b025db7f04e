# expect-status: error
# expect-message: inconsistent sizes
# Maps the input too (in_axes=(0, 0)): each member would get one row of x, and vmap
# refuses because x has B rows, not E.
import jax
from flax import nnx


class Member(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    @nnx.split_rngs(splits=E)
    @nnx.vmap(in_axes=(0,), out_axes=0)
    def create(rngs):
        return Member(x.shape[-1], hidden, features, rngs=rngs)

    ensemble = create(nnx.Rngs(seed))
    return nnx.vmap(lambda m, b: m(b), in_axes=(0, 0))(ensemble, x)
