# expect-status: failed
# expect-message: mismatch
# One default stream, nnx.Rngs(seed), instead of the named params/dropout streams: the
# first kernel happens to match, but the dropout fork and the second layer take the next
# draws of that one stream.
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(seed)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    dropout = nnx.Dropout(rate, rngs=rngs)
    linear2 = nnx.Linear(hidden, out, rngs=rngs)
    y1 = linear2(dropout(nnx.relu(linear1(x))))
    y2 = linear2(dropout(nnx.relu(linear1(x))))
    return {"kernel1": linear1.kernel[...], "y1": y1, "y2": y2}
