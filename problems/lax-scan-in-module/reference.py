"""Reference solution for lax-scan-in-module."""

import flax.linen as nn
import jax
import jax.numpy as jnp
from jax import lax


class LaxScanModule(nn.Module):
    """``c_0 = tanh(x W)``, then ``T`` steps of ``c = tanh(c W)``; returns ``c_T``."""

    hidden: int
    T: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        W = self.param("W", nn.initializers.lecun_normal(), (self.hidden, self.hidden))

        def body(carry: jax.Array, _: None) -> tuple[jax.Array, None]:
            return jnp.tanh(carry @ W), None

        final, _ = lax.scan(body, jnp.tanh(x @ W), xs=None, length=self.T)
        return final


def lax_scan_in_module(seed: int, x: jax.Array, hidden: int, T: int) -> jax.Array:
    """Initialise ``LaxScanModule`` with ``PRNGKey(seed)`` and apply it to ``x``.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: input vector, shape (hidden,).
        hidden: static int H, size of the square weight ``W``.
        T: static int >= 1, number of scan steps after the first projection.

    Returns:
        The final carry ``c_T``, shape (hidden,).
    """
    model = LaxScanModule(hidden=hidden, T=T)
    variables = model.init(jax.random.PRNGKey(seed), x)
    return model.apply(variables, x)
