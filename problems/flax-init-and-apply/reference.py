"""Reference solution for flax-init-and-apply."""

from typing import Any

import flax.linen as nn
import jax


class MLP(nn.Module):
    """``fc2(relu(fc1(x)))``: two ``nn.Dense`` layers named ``fc1`` and ``fc2``."""

    hidden: int
    out: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        return nn.Dense(self.out, name="fc2")(h)


def init_and_apply(seed: int, x: jax.Array, hidden: int, out: int) -> tuple[jax.Array, Any]:
    """Initialise ``MLP`` with ``PRNGKey(seed)`` on ``x``, then apply it to ``x``.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: inputs, shape (B, D).
        hidden: static int, width of ``fc1``.
        out: static int, width of ``fc2``.

    Returns:
        ``(y, params)``: the outputs, shape (B, out), and the initialised parameters
        ``{"fc1": {"kernel", "bias"}, "fc2": {"kernel", "bias"}}``.
    """
    model = MLP(hidden=hidden, out=out)
    variables = model.init(jax.random.PRNGKey(seed), x)
    y = model.apply(variables, x)
    return y, variables["params"]
