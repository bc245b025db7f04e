# expect-status: failed
# expect-message: NaN
# Divides by the token count without a guard: an all-padding sequence gives 0 / 0 = NaN.
import jax
import jax.numpy as jnp


def masked_cross_entropy(logits, labels, per_token):
    valid = labels >= 0
    logp = jax.nn.log_softmax(logits)
    picked = jnp.take_along_axis(logp, jnp.where(valid, labels, 0)[..., None], axis=-1)[..., 0]
    losses = jnp.where(valid, -picked, 0.0)
    if per_token:
        return losses
    return losses.sum(axis=1) / valid.sum(axis=1)
