# Does what nnx.Dropout does by hand: fork the dropout stream once (as the layer does when
# it is built), then draw one fresh key from the fork per forward pass.
import jax
import jax.numpy as jnp
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(params=seed, dropout=seed + 1)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    drop_stream = rngs.dropout.fork()
    linear2 = nnx.Linear(hidden, out, rngs=rngs)
    keep = 1.0 - rate

    def forward(inputs):
        h = jnp.maximum(linear1(inputs), 0.0)
        mask = jax.random.bernoulli(drop_stream(), keep, h.shape)
        return linear2(jnp.where(mask, h / keep, 0.0))

    ys = [forward(x) for _ in range(2)]
    return {"kernel1": linear1.kernel[...], "y1": ys[0], "y2": ys[1]}
