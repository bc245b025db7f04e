# One-hot targets: jax.nn.one_hot gives an all-zero row for a negative label, so padded
# tokens get a zero loss without a separate mask; K comes from logits.shape.
import jax
import jax.numpy as jnp


def masked_cross_entropy(logits, labels, per_token):
    num_classes = logits.shape[-1]
    targets = jax.nn.one_hot(labels, num_classes, dtype=logits.dtype)  # (B, T, K)
    losses = -jnp.sum(targets * jax.nn.log_softmax(logits), axis=-1)  # (B, T)
    if not per_token:
        counts = jnp.sum(labels >= 0, axis=1)
        safe = jnp.maximum(counts, 1)
        return jnp.where(counts > 0, losses.sum(axis=1) / safe, 0.0)
    return losses
