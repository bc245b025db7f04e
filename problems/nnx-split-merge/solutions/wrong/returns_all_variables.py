# expect-status: failed
# expect-message: structure
# Returns every variable of the model (BatchNorm's running mean and var too), not just
# the nnx.Param leaves: an unfiltered split mixes the two.
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
    nnx.replace_by_pure_dict(
        params, jax.tree.map(lambda p, g: p - lr * g, nnx.to_pure_dict(params), grads)
    )
    updated = nnx.merge(graphdef, params, rest)
    return updated(x), nnx.to_pure_dict(nnx.state(updated))
