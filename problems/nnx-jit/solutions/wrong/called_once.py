# expect-status: failed
# expect-message: mismatch
# One step on both batches stacked together: one update (count 1) whose mean pools
# every row, instead of two successive steps.
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


@nnx.jit
def train_step(model, x):
    return model(x)


def jit_two_steps(seed, x1, x2, features):
    model = RunningCenter(x1.shape[-1], features, rngs=nnx.Rngs(seed))
    y = train_step(model, jnp.concatenate([x1, x2], axis=0))
    n1 = x1.shape[0]
    return {"y1": y[:n1], "y2": y[n1:], "count": model.count[...], "mean": model.mean[...]}
