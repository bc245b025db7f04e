"""Reference solution for nnx-jit."""

import jax
import jax.numpy as jnp
from flax import nnx


class Count(nnx.Variable):
    """A custom variable type: how many batches the layer has seen."""


class RunningCenter(nnx.Module):
    """A linear layer that keeps the running mean of its outputs over every batch seen so
    far and subtracts it."""

    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.count = Count(jnp.zeros((), jnp.int32))
        self.mean = nnx.BatchStat(jnp.zeros((dout,), jnp.float32))

    def __call__(self, x: jax.Array) -> jax.Array:
        y = self.linear(x)
        self.count[...] += 1
        self.mean[...] = self.mean[...] + (y.mean(axis=0) - self.mean[...]) / self.count[...]
        return y - self.mean[...]


@nnx.jit
def train_step(model: RunningCenter, x: jax.Array) -> jax.Array:
    return model(x)


def jit_two_steps(seed: int, x1: jax.Array, x2: jax.Array, features: int) -> dict:
    """Build a ``RunningCenter`` and run the nnx.jit-compiled step on two batches.

    Args:
        seed: static int, the seed of ``nnx.Rngs(seed)`` used to build the layer.
        x1: first batch, shape (B1, D).
        x2: second batch, shape (B2, D).
        features: static int F, the layer's output size.

    Returns:
        ``{"y1": (B1, F), "y2": (B2, F), "count": int32 (), "mean": (F,)}``: both
        steps' outputs and the layer's variables after the second step.
    """
    model = RunningCenter(x1.shape[-1], features, rngs=nnx.Rngs(seed))
    y1 = train_step(model, x1)
    y2 = train_step(model, x2)
    return {"y1": y1, "y2": y2, "count": model.count[...], "mean": model.mean[...]}
