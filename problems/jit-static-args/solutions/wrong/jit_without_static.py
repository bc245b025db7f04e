# expect-status: error
# expect-message: traced
# Adds its own @jax.jit but forgets static_argnames: per_token becomes a tracer, and the
# Python `if per_token:` cannot be decided while tracing.
import jax
import jax.numpy as jnp


@jax.jit
def masked_cross_entropy(logits, labels, per_token):
    valid = labels >= 0
    logp = jax.nn.log_softmax(logits)
    picked = jnp.take_along_axis(logp, jnp.where(valid, labels, 0)[..., None], axis=-1)[..., 0]
    losses = jnp.where(valid, -picked, 0.0)
    if per_token:
        return losses
    return losses.sum(axis=1) / jnp.maximum(valid.sum(axis=1), 1)
