# expect-status: error
# expect-message: IndexError
# loss_fn(x, y, model): nnx.value_and_grad differentiates argument 0 by default, here the
# INPUT x, and optimizer.update cannot match an array gradient to the model's params.
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jnp.tanh(self.hidden(x)))


def loss_fn(x, y, model):
    return jnp.mean((model(x) - y) ** 2)


def train_step(seed, x, y, hidden, lr):
    model = MLP(x.shape[-1], hidden, y.shape[-1], rngs=nnx.Rngs(seed))
    optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)
    loss, grads = nnx.value_and_grad(loss_fn)(x, y, model)
    optimizer.update(model, grads)
    return {"loss": loss, "params": nnx.to_pure_dict(nnx.state(model, nnx.Param))}
