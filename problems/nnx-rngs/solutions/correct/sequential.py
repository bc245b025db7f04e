# nnx.Sequential: arguments are evaluated left to right, so the layers are still created
# in the order linear1, dropout, linear2.
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(dropout=seed + 1, params=seed)  # keyword order does not matter
    model = nnx.Sequential(
        nnx.Linear(x.shape[-1], hidden, rngs=rngs),
        nnx.relu,
        nnx.Dropout(rate, rngs=rngs),
        nnx.Linear(hidden, out, rngs=rngs),
    )
    y1, y2 = model(x), model(x)
    return dict(kernel1=model.layers[0].kernel[...], y1=y1, y2=y2)
