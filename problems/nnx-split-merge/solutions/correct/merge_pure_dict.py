# One unfiltered split, updates written into the pure dict by path, and merge straight
# from that dict; the parameters returned are picked out by the paths of grads.
import jax.numpy as jnp
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, hidden, dout, *, rngs):
        self.linear1 = nnx.Linear(din, hidden, rngs=rngs)
        self.norm = nnx.BatchNorm(hidden, use_running_average=True, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, dout, rngs=rngs)

    def __call__(self, x):
        h = self.norm(self.linear1(x))
        return self.linear2(jnp.maximum(h, 0.0))


def sgd_split_merge(seed, x, grads, lr):
    din, hidden = grads["linear1"]["kernel"].shape
    model = MLP(din, hidden, grads["linear2"]["kernel"].shape[-1], rngs=nnx.Rngs(params=seed))
    graphdef, state = nnx.split(model)
    values = nnx.to_pure_dict(state)  # also holds norm's running mean and var
    params = {}
    for layer, leaves in grads.items():
        params[layer] = {}
        for name, g in leaves.items():
            values[layer][name] = values[layer][name] - lr * g
            params[layer][name] = values[layer][name]
    new_model = nnx.merge(graphdef, values)
    return new_model(x), params
