# Its own @jax.jit with per_token declared static; one sequence at a time under vmap, with
# lax.cond choosing on the traced token count (vmap turns it into a select).
import functools

import jax
import jax.numpy as jnp
from jax import lax


def _token_losses(logits, labels):
    # logits: (T, K), labels: (T,)
    valid = labels >= 0
    lse = jax.nn.logsumexp(logits, axis=-1)
    label_logit = jnp.take_along_axis(logits, jnp.clip(labels, 0)[:, None], axis=-1)[:, 0]
    return jnp.where(valid, lse - label_logit, 0.0), valid.sum()


@functools.partial(jax.jit, static_argnames="per_token")
def masked_cross_entropy(logits, labels, per_token):
    losses, counts = jax.vmap(_token_losses)(logits, labels)
    if per_token:
        return losses

    def mean(total, n):
        return lax.cond(n > 0, lambda: total / n.astype(total.dtype), lambda: jnp.zeros_like(total))

    return jax.vmap(mean)(losses.sum(axis=1), counts)
