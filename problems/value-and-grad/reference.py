"""Reference solution for value-and-grad."""

import jax
import jax.numpy as jnp


def loss_and_grads(
    params: dict[str, jax.Array], x: jax.Array, y: jax.Array, l2: float
) -> tuple[jax.Array, dict[str, jax.Array]]:
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

    def loss_fn(p: dict[str, jax.Array]) -> jax.Array:
        residual = x @ p["W"] + p["b"] - y
        return jnp.mean(residual**2) + l2 * jnp.sum(p["W"] ** 2)

    return jax.value_and_grad(loss_fn)(params)
