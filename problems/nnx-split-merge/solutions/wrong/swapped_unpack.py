# expect-status: error
# expect-message: GraphDef
# Unpacks nnx.split's result the wrong way round, state first, and so tries to update
# (and merge) the GraphDef as if it were the state.
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
    state, graphdef = nnx.split(model)
    params = nnx.to_pure_dict(state)
    new_params = {k: jax.tree.map(lambda p, g: p - lr * g, params[k], grads[k]) for k in grads}
    nnx.replace_by_pure_dict(state, new_params)
    return nnx.merge(graphdef, state)(x), new_params
