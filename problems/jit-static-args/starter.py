import jax
import jax.numpy as jnp


def masked_cross_entropy(logits: jax.Array, labels: jax.Array, per_token: bool) -> jax.Array:
    """Cross-entropy of padded label sequences, per token or per sequence.

    Called as ``jax.jit(masked_cross_entropy, static_argnames="per_token")``.

    Args:
        logits: float32 (B, T, K), traced.
        labels: int32 (B, T), traced; a label < 0 marks a padding position.
        per_token: static Python bool, chooses the output (and its shape).

    Returns:
        per_token=True: float32 (B, T), the loss of every token, 0 at padding.
        per_token=False: float32 (B,), the mean loss over the real tokens of each
        sequence, 0 for a sequence with no real token.
    """
    # TODO: which tokens are real? (an array, computed from labels)
    # TODO: the loss of every token, 0 at padding
    # TODO: per_token decides what to return: it is a Python bool here
    raise NotImplementedError
