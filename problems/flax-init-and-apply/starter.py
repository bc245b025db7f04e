import jax
import jax.numpy as jnp
import flax.linen as nn


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        # TODO: nn.Dense(self.hidden) named "fc1", relu, then nn.Dense(self.out) named "fc2"
        raise NotImplementedError


def init_and_apply(seed, x, hidden, out):
    """Initialise MLP with PRNGKey(seed) on x, then apply it to x.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: inputs, shape (B, D).
        hidden: static int, width of fc1.
        out: static int, width of fc2.

    Returns:
        (y, params): y of shape (B, out) and variables["params"].
    """
    raise NotImplementedError
