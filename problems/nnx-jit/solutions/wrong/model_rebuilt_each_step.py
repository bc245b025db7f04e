# expect-status: failed
# expect-message: mismatch
# Builds the layer inside the step, so every call starts from fresh variables: the
# second step never sees the first batch, and count ends at 1.
import jax.numpy as jnp
from flax import nnx


class Count(nnx.Variable):
    pass


class RunningCenter(nnx.Module):
    def __init__(self, din, dout, *, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.count = Count(jnp.zeros((), jnp.int32))
        self.mean = nnx.BatchStat(jnp.zeros((dout,)))

    def __call__(self, x):
        y = self.linear(x)
        self.count[...] += 1
        self.mean[...] += (y.mean(axis=0) - self.mean[...]) / self.count[...]
        return y - self.mean[...]


def jit_two_steps(seed, x1, x2, features):
    @nnx.jit
    def train_step(x):
        model = RunningCenter(x.shape[-1], features, rngs=nnx.Rngs(seed))
        return model(x), model.count[...], model.mean[...]

    y1, _, _ = train_step(x1)
    y2, count, mean = train_step(x2)
    return {"y1": y1, "y2": y2, "count": count, "mean": mean}
