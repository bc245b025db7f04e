"""Reference solution for nnx-train-step."""

import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    """``out(tanh(hidden(x)))``: two nnx.Linear layers."""

    def __init__(self, din: int, dhidden: int, dout: int, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(jnp.tanh(self.hidden(x)))


def loss_fn(model: MLP, x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean squared error over every entry of the (B, F) predictions."""
    return jnp.mean((model(x) - y) ** 2)


def train_step(seed: int, x: jax.Array, y: jax.Array, hidden: int, lr: float) -> dict:
    """One SGD step on a freshly built MLP.

    Args:
        seed: static int, the seed of the ``nnx.Rngs`` the model is built from.
        x: inputs, shape (B, D).
        y: targets, shape (B, F).
        hidden: static int, the hidden width.
        lr: static float, the SGD learning rate.

    Returns:
        {"loss": the loss BEFORE the step, shape (),
         "params": the parameters AFTER the step, as a nested dict of arrays:
            {"hidden": {"kernel", "bias"}, "out": {"kernel", "bias"}}}.
    """
    model = MLP(x.shape[-1], hidden, y.shape[-1], rngs=nnx.Rngs(seed))
    optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)

    # Differentiates w.r.t. the first argument (the model's nnx.Param variables);
    # the loss is evaluated at the current (pre-step) parameters.
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    # Since flax 0.11 the optimizer does not hold the model: pass it in. This updates
    # the model's parameters in place: p <- p - lr * grad.
    optimizer.update(model, grads)

    params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
    return {"loss": loss, "params": params}
