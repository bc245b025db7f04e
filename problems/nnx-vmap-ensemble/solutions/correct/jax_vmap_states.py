# Plain jax.vmap around nnx.split / nnx.merge: the keys are split by hand, each mapped
# call builds one Member and returns its state; the forward merges one state per member.
import jax
from flax import nnx


class Member(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    D = x.shape[-1]
    keys = jax.random.split(nnx.Rngs(seed)(), E)  # what split_rngs(splits=E) draws

    def build(key):
        return nnx.split(Member(D, hidden, features, rngs=nnx.Rngs(key)))

    graphdef, _ = nnx.eval_shape(lambda: build(keys[0]))
    states = jax.vmap(lambda k: build(k)[1])(keys)
    return jax.vmap(lambda s: nnx.merge(graphdef, s)(x))(states)
