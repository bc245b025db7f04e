# expect-status: failed
# expect-message: mismatch
# Rebuilds the dropout layer from a fresh nnx.Rngs(dropout=seed + 1) on every forward
# pass, so both passes draw the same mask: y1 is right, y2 == y1 is not.
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(params=seed, dropout=seed + 1)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    linear2 = nnx.Linear(hidden, out, rngs=rngs)

    def forward(inputs):
        dropout = nnx.Dropout(rate, rngs=nnx.Rngs(dropout=seed + 1))
        return linear2(dropout(nnx.relu(linear1(inputs))))

    return {"kernel1": linear1.kernel[...], "y1": forward(x), "y2": forward(x)}
