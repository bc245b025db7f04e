# expect-status: failed
# expect-message: mismatch
# Draws the dropout masks with jax.random from a hand-made key(seed + 1) instead of keys
# from the Rngs' dropout stream: right layers, wrong masks.
import jax
import jax.numpy as jnp
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    rngs = nnx.Rngs(params=seed, dropout=seed + 1)
    linear1 = nnx.Linear(x.shape[-1], hidden, rngs=rngs)
    linear2 = nnx.Linear(hidden, out, rngs=rngs)
    keys = jax.random.split(jax.random.key(seed + 1), 2)
    ys = []
    for key in keys:
        h = nnx.relu(linear1(x))
        mask = jax.random.bernoulli(key, 1.0 - rate, h.shape)
        ys.append(linear2(jnp.where(mask, h / (1.0 - rate), 0.0)))
    return {"kernel1": linear1.kernel[...], "y1": ys[0], "y2": ys[1]}
