# The loss is a module-level function of (params, x, y, l2); value_and_grad differentiates
# with respect to its first argument only, so x, y and l2 are simply passed along.
import jax
import jax.numpy as jnp


def ridge_loss(params, x, y, l2):
    pred = jnp.dot(x, params["W"]) + params["b"]
    mse = jnp.mean(jnp.square(pred - y))
    return mse + l2 * jnp.vdot(params["W"], params["W"])


def loss_and_grads(params, x, y, l2):
    loss, grads = jax.value_and_grad(ridge_loss, argnums=0)(params, x, y, l2)
    return loss, grads
