"""Reference solution for flax-nn-scan-layers."""

import flax.linen as nn
import jax


class Block(nn.Module):
    """One residual layer, as a scan step: ``h -> h + tanh(dense(h))``, no per-step input."""

    features: int

    @nn.compact
    def __call__(self, h: jax.Array, _: None) -> tuple[jax.Array, None]:
        return h + nn.tanh(nn.Dense(self.features, name="dense")(h)), None


class DeepResNet(nn.Module):
    """``num_layers`` Blocks, each with its own parameters, run by one ``nn.scan``."""

    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        Stack = nn.scan(
            Block,
            variable_axes={"params": 0},  # layer l's parameters at index l of a stack
            split_rngs={"params": True},  # a different init key per layer
            length=self.num_layers,  # no xs to scan over: the length says how many steps
        )
        h, _ = Stack(self.features, name="layers")(x, None)
        return h


def scan_layers_forward(seed: int, x: jax.Array, num_layers: int) -> dict[str, jax.Array]:
    """Initialise ``DeepResNet`` with ``PRNGKey(seed)`` on ``x`` and apply it to ``x``.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: inputs, shape (B, H); every layer maps H features to H features.
        num_layers: static int L >= 1.

    Returns:
        ``{"y": y, "kernels": kernels}``: the output, shape (B, H), and the stacked Dense
        kernels of the L layers, shape (L, H, H).
    """
    model = DeepResNet(num_layers=num_layers, features=x.shape[-1])
    variables = model.init(jax.random.PRNGKey(seed), x)
    y = model.apply(variables, x)
    return {"y": y, "kernels": variables["params"]["layers"]["dense"]["kernel"]}
