import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    """Ridge-regression loss and its gradient with respect to ``params``.

    ``loss = mean((x @ W + b - y) ** 2) + l2 * sum(W ** 2)`` (the bias is not penalised).

    Args:
        params: dict with "W" of shape (D, K) and "b" of shape (K,), float32.
        x: float32 array of shape (N, D).
        y: float32 array of shape (N, K).
        l2: Python float >= 0, the weight of the penalty on W (static).

    Returns:
        (loss, grads): loss is a float32 scalar, grads a dict with the same keys and
        shapes as params.
    """

    def loss_fn(p):
        # TODO: return the scalar loss of the parameters p
        raise NotImplementedError

    raise NotImplementedError("use jax.value_and_grad(loss_fn)")
