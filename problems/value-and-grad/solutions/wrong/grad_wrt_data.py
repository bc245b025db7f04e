# expect-status: failed
# expect-message: structure
# The loss takes the data first, so value_and_grad differentiates with respect to x, not params.
import jax
import jax.numpy as jnp


def loss_and_grads(params, x, y, l2):
    def loss_fn(x, params):
        r = x @ params["W"] + params["b"] - y
        return jnp.mean(r**2) + l2 * jnp.sum(params["W"] ** 2)

    return jax.value_and_grad(loss_fn)(x, params)
