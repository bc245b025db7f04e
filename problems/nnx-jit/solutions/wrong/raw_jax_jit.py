# expect-status: failed
# expect-message: mismatch
# jax.jit instead of nnx.jit: the module goes in as a pytree, the step updates a copy of
# it inside the trace, and the updates are silently lost (count and mean stay 0).
import jax
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


@jax.jit
def train_step(model, x):
    return model(x)


def jit_two_steps(seed, x1, x2, features):
    model = RunningCenter(x1.shape[-1], features, rngs=nnx.Rngs(seed))
    y1 = train_step(model, x1)
    y2 = train_step(model, x2)
    return {"y1": y1, "y2": y2, "count": model.count[...], "mean": model.mean[...]}
