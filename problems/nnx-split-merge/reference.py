"""Reference solution for nnx-split-merge."""

import jax
from flax import nnx


class MLP(nnx.Module):
    """``linear2(relu(norm(linear1(x))))``, with BatchNorm on its running statistics."""

    def __init__(self, din: int, hidden: int, dout: int, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(din, hidden, rngs=rngs)
        self.norm = nnx.BatchNorm(hidden, use_running_average=True, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, dout, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.linear2(nnx.relu(self.norm(self.linear1(x))))


def sgd_split_merge(seed: int, x: jax.Array, grads: dict, lr: float) -> tuple:
    """Build the MLP, apply one SGD step to its parameters through split/merge, and run
    the updated model.

    Args:
        seed: static int, the seed of ``nnx.Rngs(params=seed)``.
        x: inputs, shape (B, D).
        grads: ``{"linear1": {"kernel", "bias"}, "norm": {"scale", "bias"},
            "linear2": {"kernel", "bias"}}``, one array per parameter.
        lr: static float, the learning rate.

    Returns:
        ``(y, params)``: the updated model's output on ``x``, shape (B, O), and the
        updated parameters as a plain nested dict shaped like ``grads``.
    """
    d_in, hidden = grads["linear1"]["kernel"].shape
    d_out = grads["linear2"]["kernel"].shape[1]
    model = MLP(d_in, hidden, d_out, rngs=nnx.Rngs(params=seed))

    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    new_params = jax.tree.map(lambda p, g: p - lr * g, nnx.to_pure_dict(params), grads)
    nnx.replace_by_pure_dict(params, new_params)
    updated = nnx.merge(graphdef, params, rest)
    return updated(x), new_params
