# expect-status: error
# expect-message: metadata
# Keeps the count and the running mean as plain array attributes instead of
# nnx.Variables: nnx.jit treats them as static structure (pytree metadata), not state,
# and fails once they are traced values.
import jax.numpy as jnp
from flax import nnx


class RunningCenter(nnx.Module):
    def __init__(self, din, dout, *, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.count = jnp.zeros((), jnp.int32)
        self.mean = jnp.zeros((dout,))

    def __call__(self, x):
        y = self.linear(x)
        self.count = self.count + 1
        self.mean = self.mean + (y.mean(axis=0) - self.mean) / self.count
        return y - self.mean


@nnx.jit
def train_step(model, x):
    return model(x)


def jit_two_steps(seed, x1, x2, features):
    model = RunningCenter(x1.shape[-1], features, rngs=nnx.Rngs(seed))
    y1 = train_step(model, x1)
    y2 = train_step(model, x2)
    return {"y1": y1, "y2": y2, "count": model.count, "mean": model.mean}
