# Drives optax by hand on plain dicts (tx.init / tx.update / optax.apply_updates), with
# nnx.grad for the gradient and a separate evaluation of the loss; the result dict is
# written out from the model's attributes.
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

    def loss_fn(m):
        return jnp.mean(jnp.square(m(x) - y))

    loss = loss_fn(model)
    grads = nnx.to_pure_dict(nnx.grad(loss_fn)(model))
    params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
    tx = optax.sgd(learning_rate=lr)
    updates, _ = tx.update(grads, tx.init(params), params)
    return {"loss": loss, "params": optax.apply_updates(params, updates)}
