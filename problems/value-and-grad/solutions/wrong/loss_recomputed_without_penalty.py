# expect-status: failed
# expect-message: mismatch
# Gradient from jax.grad, then the loss written out a second time by hand, without the penalty.
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_fn(p):
        r = x @ p["W"] + p["b"] - y
        return jnp.mean(r**2) + l2 * jnp.sum(p["W"] ** 2)

    grads = jax.grad(loss_fn)(params)
    loss = jnp.mean((x @ params["W"] + params["b"] - y) ** 2)
    return loss, grads
