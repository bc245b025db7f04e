import jax
import jax.numpy as jnp
import flax.linen as nn


class LaxScanModule(nn.Module):
    hidden: int
    T: int

    @nn.compact
    def __call__(self, x):
        # TODO: declare W with self.param("W", nn.initializers.lecun_normal(), (H, H)),
        # start the carry at tanh(x @ W), then run T steps of tanh(carry @ W) with lax.scan.
        raise NotImplementedError


def lax_scan_in_module(seed, x, hidden, T):
    """Initialise LaxScanModule with PRNGKey(seed) and apply it to x.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: input, shape (hidden,).
        hidden: static int H.
        T: static int >= 1, number of scan steps.

    Returns:
        The final carry, shape (hidden,).
    """
    raise NotImplementedError
