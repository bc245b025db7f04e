# expect-status: failed
# expect-message: mismatch
# Functional jax.jit with split/merge, but the step returns only y: the merged module's
# new state is thrown away, so the second step starts from the stale state again.
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


def jit_two_steps(seed, x1, x2, features):
    model = RunningCenter(x1.shape[-1], features, rngs=nnx.Rngs(seed))
    graphdef, state = nnx.split(model)

    @jax.jit
    def step(state, x):
        return nnx.merge(graphdef, state)(x)

    y1 = step(state, x1)
    y2 = step(state, x2)
    final = nnx.merge(graphdef, state)
    return {"y1": y1, "y2": y2, "count": final.count[...], "mean": final.mean[...]}
