import jax
import jax.numpy as jnp
from flax import nnx


class MLP(nnx.Module):
    """linear2(relu(norm(linear1(x)))), norm = BatchNorm on its running statistics."""

    def __init__(self, din, hidden, dout, *, rngs):
        # TODO: self.linear1, self.norm, self.linear2, created in this order
        raise NotImplementedError

    def __call__(self, x):
        raise NotImplementedError


def sgd_split_merge(seed, x, grads, lr):
    """One SGD step on the MLP's parameters, through nnx.split / nnx.merge.

    Args:
        seed: static int, the seed of nnx.Rngs(params=seed).
        x: inputs, shape (B, D).
        grads: {"linear1": {"kernel", "bias"}, "norm": {"scale", "bias"},
                "linear2": {"kernel", "bias"}}, one array per parameter.
        lr: static float, the learning rate.

    Returns:
        (y, params): the updated model's output on x, shape (B, O), and the updated
        parameters as a plain nested dict of arrays shaped like grads.
    """
    # TODO: build, split into (graphdef, params, rest), update params, merge, run
    raise NotImplementedError
