# Both steps inside ONE nnx.jit-compiled function: the module is mutated twice inside
# the trace, and nnx.jit writes the final state back when it returns.
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
        delta = y.mean(axis=0) - self.mean[...]
        self.mean[...] += delta / self.count[...].astype(jnp.float32)
        return y - self.mean[...]


@nnx.jit
def two_steps(model, x1, x2):
    return model(x1), model(x2)


def jit_two_steps(seed, x1, x2, features):
    model = RunningCenter(x1.shape[-1], features, rngs=nnx.Rngs(seed))
    y1, y2 = two_steps(model, x1, x2)
    return {"y1": y1, "y2": y2, "count": model.count[...], "mean": model.mean[...]}
