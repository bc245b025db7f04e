import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    """out(tanh(hidden(x))). Keep it exactly as it is."""

    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jnp.tanh(self.hidden(x)))


def train_step(seed, x, y, hidden, lr):
    """One SGD step on MLP(D, hidden, F, rngs=nnx.Rngs(seed)).

    Args:
        seed: static int, the seed of the nnx.Rngs the model is built from.
        x: inputs, shape (B, D).
        y: targets, shape (B, F).
        hidden: static int, the hidden width.
        lr: static float, the SGD learning rate.

    Returns:
        {"loss": the mean squared error BEFORE the step, shape (),
         "params": {"hidden": {"kernel": ..., "bias": ...},
                    "out": {"kernel": ..., "bias": ...}}  -- AFTER the step}
    """
    # TODO: build the model and nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)
    # TODO: loss and grads with nnx.value_and_grad, then optimizer.update(model, grads)
    # TODO: return the loss and the updated parameters as plain arrays
    raise NotImplementedError
