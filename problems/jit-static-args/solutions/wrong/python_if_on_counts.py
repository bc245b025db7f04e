# expect-status: error
# expect-message: traced
# Guards the mean with a Python `if` on the token counts, which are traced values.
import jax
import jax.numpy as jnp


def masked_cross_entropy(logits, labels, per_token):
    valid = labels >= 0
    logp = jax.nn.log_softmax(logits)
    picked = jnp.take_along_axis(logp, jnp.where(valid, labels, 0)[..., None], axis=-1)[..., 0]
    losses = jnp.where(valid, -picked, 0.0)
    if per_token:
        return losses
    counts = valid.sum(axis=1)
    if (counts == 0).any():
        return losses.sum(axis=1) / jnp.maximum(counts, 1)
    return losses.sum(axis=1) / counts
