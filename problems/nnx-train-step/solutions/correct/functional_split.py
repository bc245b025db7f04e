# Functional style: split the model into (graphdef, params), differentiate a pure function
# of the params with jax.value_and_grad, and apply the SGD rule p - lr * g by hand.
import jax
import jax.numpy as jnp
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jnp.tanh(self.hidden(x)))


def train_step(seed, x, y, hidden, lr):
    graphdef, params = nnx.split(MLP(x.shape[-1], hidden, y.shape[-1], rngs=nnx.Rngs(seed)))

    def loss_of(params):
        pred = nnx.merge(graphdef, params)(x)
        return ((pred - y) ** 2).mean()

    loss, grads = jax.value_and_grad(loss_of)(params)
    new_params = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    return {"loss": loss, "params": nnx.to_pure_dict(new_params)}
