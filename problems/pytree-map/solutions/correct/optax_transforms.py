# The same step with Optax: clip_by_global_norm chained with sgd, and optax.global_norm
# for the reported norm.
import optax


def clipped_sgd_step(params, grads, lr, max_norm):
    tx = optax.chain(optax.clip_by_global_norm(max_norm), optax.sgd(lr))
    state = tx.init(params)
    updates, _ = tx.update(grads, state, params)
    return optax.apply_updates(params, updates), optax.global_norm(grads)
