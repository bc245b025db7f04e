# expect-status: failed
# expect-message: mismatch
# Computes the output first and updates the model afterwards: the returned parameters
# are the new ones, but y was produced by the old ones.
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
    y = model(x)
    params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
    new_params = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    nnx.update(model, new_params)
    return y, new_params
