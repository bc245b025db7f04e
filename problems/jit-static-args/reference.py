"""Reference solution for jit-static-args."""

import jax
import jax.numpy as jnp


def masked_cross_entropy(logits: jax.Array, labels: jax.Array, per_token: bool) -> jax.Array:
    """Cross-entropy of padded label sequences, per token or per sequence.

    Args:
        logits: float32 (B, T, K), traced.
        labels: int32 (B, T), traced; a label < 0 marks a padding position.
        per_token: static Python bool, chooses the output (and its shape).

    Returns:
        per_token=True: float32 (B, T), the loss of every token, 0 at padding.
        per_token=False: float32 (B,), the mean loss over the real tokens of each
        sequence, 0 for a sequence with no real token.
    """
    valid = labels >= 0  # (B, T)
    safe_labels = jnp.where(valid, labels, 0)  # a real class index everywhere

    # log(sum(exp(z))) computed stably: subtract the largest logit before exp.
    z_max = jnp.max(logits, axis=-1)  # (B, T)
    log_norm = z_max + jnp.log(jnp.sum(jnp.exp(logits - z_max[..., None]), axis=-1))
    label_logit = jnp.take_along_axis(logits, safe_labels[..., None], axis=-1)[..., 0]
    losses = jnp.where(valid, log_norm - label_logit, 0.0)  # (B, T), 0 at padding

    # per_token is a Python bool here: an ordinary `if` may even change the shape.
    if per_token:
        return losses
    counts = valid.sum(axis=1)  # traced: only known when the program runs
    # Guard the division itself (not only its result): an all-padding row divides 0 by 1.
    return losses.sum(axis=1) / jnp.maximum(counts, 1)
