# The in-place cousin of split/merge: nnx.state(model, nnx.Param) reads the parameters,
# nnx.update(model, new) writes them back into the same model.
import jax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, hidden, dout, *, rngs):
        self.linear1 = nnx.Linear(din, hidden, rngs=rngs)
        self.norm = nnx.BatchNorm(hidden, use_running_average=True, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.linear2(jax.nn.relu(self.norm(self.linear1(x))))


def sgd_split_merge(seed, x, grads, lr):
    model = MLP(
        grads["linear1"]["kernel"].shape[0],
        grads["linear1"]["kernel"].shape[1],
        grads["linear2"]["bias"].shape[0],
        rngs=nnx.Rngs(params=seed),
    )
    params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
    new = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    nnx.update(model, new)
    return model(x), new
