# expect-status: error
# expect-message: shapes do not match
# Treats the static flag like data and picks the output with lax.cond: both branches must
# then have the same shape, and (B, T) is not (B,).
import jax
import jax.numpy as jnp
from jax import lax


def masked_cross_entropy(logits, labels, per_token):
    valid = labels >= 0
    logp = jax.nn.log_softmax(logits)
    picked = jnp.take_along_axis(logp, jnp.where(valid, labels, 0)[..., None], axis=-1)[..., 0]
    losses = jnp.where(valid, -picked, 0.0)
    return lax.cond(
        per_token,
        lambda: losses,
        lambda: losses.sum(axis=1) / jnp.maximum(valid.sum(axis=1), 1),
    )
