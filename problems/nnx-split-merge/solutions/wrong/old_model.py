# expect-status: failed
# expect-message: mismatch
# Updates the parameters and merges a new model, but runs the ORIGINAL model on x: the
# functional update made new Variables, so the old model never saw it.
import jax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, hidden, dout, *, rngs):
        self.linear1 = nnx.Linear(din, hidden, rngs=rngs)
        self.norm = nnx.BatchNorm(hidden, use_running_average=True, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.linear2(nnx.relu(self.norm(self.linear1(x))))


def build(seed, grads):
    din, hidden = grads["linear1"]["kernel"].shape
    return MLP(din, hidden, grads["linear2"]["kernel"].shape[1], rngs=nnx.Rngs(params=seed))


def sgd_split_merge(seed, x, grads, lr):
    model = build(seed, grads)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    new_params = jax.tree.map(lambda p, g: p - lr * g, nnx.to_pure_dict(params), grads)
    nnx.replace_by_pure_dict(params, new_params)
    _updated = nnx.merge(graphdef, params, rest)
    return model(x), new_params
