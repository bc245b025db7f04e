import jax
import jax.numpy as jnp
import flax.linen as nn


class Block(nn.Module):
    """One residual layer as a scan step: (h, _) -> (h + tanh(dense(h)), None)."""

    features: int

    @nn.compact
    def __call__(self, h, _):
        # TODO: nn.Dense(self.features, name="dense"); return (new_h, None)
        raise NotImplementedError


class DeepResNet(nn.Module):
    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x):
        # TODO: lift Block with nn.scan (one parameter slice and one init key per layer,
        # length=self.num_layers), instantiate it with name="layers", call it on (x, None)
        raise NotImplementedError


def scan_layers_forward(seed, x, num_layers):
    """Initialise DeepResNet with PRNGKey(seed) on x and apply it to x.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: inputs, shape (B, H).
        num_layers: static int L >= 2.

    Returns:
        {"y": y, "kernels": kernels}: y of shape (B, H) and the stacked Dense kernels,
        shape (L, H, H).
    """
    raise NotImplementedError
