# The pattern used inside jax transforms: a pure function of (params, x) that merges
# the model it needs on every call; the non-parameter state rides along unchanged.
import jax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, hidden, dout, *, rngs):
        self.linear1 = nnx.Linear(din, hidden, rngs=rngs)
        self.norm = nnx.BatchNorm(hidden, use_running_average=True, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.linear2(nnx.relu(self.norm(self.linear1(x))))


def sgd_split_merge(seed, x, grads, lr):
    k = grads["linear1"]["kernel"]
    model = MLP(k.shape[0], k.shape[1], grads["linear2"]["kernel"].shape[1], rngs=nnx.Rngs(params=seed))
    graphdef, params, batch_stats = nnx.split(model, nnx.Param, nnx.BatchStat)

    def apply(p, inputs):
        return nnx.merge(graphdef, p, batch_stats)(inputs)

    new_params = jax.tree.map(lambda p, g: p - lr * g, params, nnx.State(grads), is_leaf=lambda v: isinstance(v, nnx.Variable))
    return apply(new_params, x), nnx.to_pure_dict(new_params)
