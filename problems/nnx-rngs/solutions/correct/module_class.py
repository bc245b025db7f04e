# The usual NNX style: a Module whose __init__ creates the layers in the prescribed order
# from the Rngs it is given, called twice in training mode.
import jax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, hidden, out, rate, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(din, hidden, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, out, rngs=rngs)

    def __call__(self, x):
        h = jax.nn.relu(self.linear1(x))
        return self.linear2(self.dropout(h))


def rngs_forward(seed, x, hidden, out, rate):
    model = MLP(x.shape[1], hidden, out, rate, rngs=nnx.Rngs(params=seed, dropout=seed + 1))
    model.train()  # dropout is on by default; train() just makes it explicit
    first = model(x)
    second = model(x)
    return {"kernel1": model.linear1.kernel.get_value(), "y1": first, "y2": second}
