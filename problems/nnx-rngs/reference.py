"""Reference solution for nnx-rngs."""

import jax
from flax import nnx


def rngs_forward(seed: int, x: jax.Array, hidden: int, out: int, rate: float) -> dict:
    """Build Linear -> relu -> Dropout -> Linear from named ``nnx.Rngs`` streams and run
    it twice in training mode.

    Args:
        seed: static int; the ``params`` stream is seeded with ``seed`` and the
            ``dropout`` stream with ``seed + 1``.
        x: inputs, shape (B, D).
        hidden: static int, width of the hidden layer.
        out: static int, number of output features.
        rate: static float in (0, 1), the probability of dropping a unit.

    Returns:
        ``{"kernel1": (D, hidden), "y1": (B, out), "y2": (B, out)}``: the first layer's
        kernel and the outputs of two successive forward passes (two dropout masks).
    """
    rngs = nnx.Rngs(params=seed, dropout=seed + 1)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    dropout = nnx.Dropout(rate, rngs=rngs)
    linear2 = nnx.Linear(hidden, out, rngs=rngs)

    def forward(inputs: jax.Array) -> jax.Array:
        return linear2(dropout(nnx.relu(linear1(inputs))))

    y1 = forward(x)
    y2 = forward(x)
    return {"kernel1": linear1.kernel[...], "y1": y1, "y2": y2}
