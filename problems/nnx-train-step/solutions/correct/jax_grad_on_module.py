# NNX modules are pytrees, so jax.value_and_grad works on the model too (its gradient is
# a model-shaped tree that nnx.Optimizer accepts); the parameters are read back by name.
import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jnp.tanh(self.hidden(x)))


def train_step(seed, x, y, hidden, lr):
    model = MLP(x.shape[-1], hidden, y.shape[-1], rngs=nnx.Rngs(seed))
    optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)
    loss, grads = jax.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
    optimizer.update(model, grads)
    return {
        "loss": loss,
        "params": {
            name: {"kernel": layer.kernel[...], "bias": layer.bias[...]}
            for name, layer in (("hidden", model.hidden), ("out", model.out))
        },
    }
