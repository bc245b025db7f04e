# expect-status: failed
# expect-message: mismatch
# Seeds the streams the other way round: params with seed + 1, dropout with seed.
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(params=seed + 1, dropout=seed)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    dropout = nnx.Dropout(rate, rngs=rngs)
    linear2 = nnx.Linear(hidden, out, rngs=rngs)
    y1 = linear2(dropout(nnx.relu(linear1(x))))
    y2 = linear2(dropout(nnx.relu(linear1(x))))
    return {"kernel1": linear1.kernel[...], "y1": y1, "y2": y2}
