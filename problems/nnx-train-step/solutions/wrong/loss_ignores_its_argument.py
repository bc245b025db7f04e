# expect-status: failed
# expect-message: mismatch
# The loss closes over the outer `model` instead of using its argument: it does not depend
# on what nnx.grad differentiates, every gradient is zero, and the step changes nothing.
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
    loss, grads = nnx.value_and_grad(lambda m: jnp.mean((model(x) - y) ** 2))(model)
    optimizer.update(model, grads)
    return {"loss": loss, "params": nnx.to_pure_dict(nnx.state(model, nnx.Param))}
