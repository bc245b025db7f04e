# expect-status: failed
# expect-message: mismatch
# Sign error: updates p + lr * grad by hand, a step of gradient ASCENT.
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
    loss, grads = jax.value_and_grad(lambda p: jnp.mean((nnx.merge(graphdef, p)(x) - y) ** 2))(
        params
    )
    new_params = jax.tree.map(lambda p, g: p + lr * g, params, grads)
    return {"loss": loss, "params": nnx.to_pure_dict(new_params)}
