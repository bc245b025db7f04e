# expect-status: failed
# expect-message: mismatch
# Returns the loss AFTER the step (re-evaluated on the updated model) instead of the loss
# the gradients were computed from.
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
    loss_fn = lambda m: jnp.mean((m(x) - y) ** 2)  # noqa: E731
    grads = nnx.grad(loss_fn)(model)
    optimizer.update(model, grads)
    return {"loss": loss_fn(model), "params": nnx.to_pure_dict(nnx.state(model, nnx.Param))}
