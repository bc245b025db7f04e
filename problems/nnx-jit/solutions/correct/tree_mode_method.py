# nnx.jit applied to the unbound __call__ (the module is its first argument), in tree
# mode (graph=False); the running mean is kept as a sum and divided on the fly.
import jax.numpy as jnp
from flax import nnx


class Count(nnx.Variable):
    pass


class RunningCenter(nnx.Module):
    def __init__(self, din, dout, *, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.count = Count(jnp.array(0, dtype=jnp.int32))
        self.mean = nnx.BatchStat(jnp.zeros(dout))

    def __call__(self, x):
        y = self.linear(x)
        n = self.count[...]
        self.count[...] = n + 1
        self.mean[...] = (self.mean[...] * n + jnp.mean(y, axis=0)) / (n + 1)
        return y - self.mean[...]


def jit_two_steps(seed, x1, x2, features):
    model = RunningCenter(x1.shape[1], features, rngs=nnx.Rngs(params=seed))
    step = nnx.jit(RunningCenter.__call__, graph=False)
    outs = [step(model, x) for x in (x1, x2)]
    return dict(y1=outs[0], y2=outs[1], count=model.count.get_value(), mean=model.mean.get_value())
