# expect-status: failed
# expect-message: mismatch
# Sums the squared errors instead of averaging them: the loss is B*F times too large,
# and so is every gradient, hence the step.
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
    loss, grads = nnx.value_and_grad(lambda m: jnp.sum((m(x) - y) ** 2))(model)
    optimizer.update(model, grads)
    return {"loss": loss, "params": nnx.to_pure_dict(nnx.state(model, nnx.Param))}
