# Rngs.split(E) makes the per-member keys up front (the same keys split_rngs makes);
# nnx.vmap is called on lambdas instead of used as a decorator.
import jax
from flax import nnx


class Member(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    member_rngs = nnx.Rngs(seed).split(E)
    ensemble = nnx.vmap(lambda r: Member(x.shape[1], hidden, features, rngs=r))(member_rngs)
    return nnx.vmap(lambda m, b: m(b), in_axes=(0, None), out_axes=0)(ensemble, x)
