# expect-status: failed
# expect-message: mismatch
# Broadcasts the unsplit Rngs into the constructor (in_axes=None, axis_size=E): every
# member draws the same keys, so the E members are identical copies.
import jax
from flax import nnx


class Member(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    @nnx.vmap(in_axes=(None,), out_axes=0, axis_size=E)
    def create(rngs):
        return Member(x.shape[-1], hidden, features, rngs=rngs)

    ensemble = create(nnx.Rngs(seed))
    return nnx.vmap(lambda m, b: m(b), in_axes=(0, None))(ensemble, x)
