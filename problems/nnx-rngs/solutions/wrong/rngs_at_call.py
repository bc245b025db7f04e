# expect-status: failed
# expect-message: mismatch
# Builds nnx.Dropout without rngs and hands it the Rngs at call time: each call draws
# straight from the dropout stream instead of from the layer's fork of it.
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(params=seed, dropout=seed + 1)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    dropout = nnx.Dropout(rate)
    linear2 = nnx.Linear(hidden, out, rngs=rngs)
    y1 = linear2(dropout(nnx.relu(linear1(x)), rngs=rngs))
    y2 = linear2(dropout(nnx.relu(linear1(x)), rngs=rngs))
    return {"kernel1": linear1.kernel[...], "y1": y1, "y2": y2}
