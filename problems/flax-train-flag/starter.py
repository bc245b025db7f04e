import jax
import jax.numpy as jnp
import flax.linen as nn


class DropoutMLP(nn.Module):
    hidden: int
    out: int
    rate: float

    @nn.compact
    def __call__(self, x, train):
        # TODO: Dense "fc1" -> relu -> Dropout "dropout" (active only when train) -> Dense "fc2"
        raise NotImplementedError


def dropout_mlp(x, seed, train, hidden, out, rate):
    """Initialise DropoutMLP in eval mode, then apply it in the mode `train` asks for.

    Args:
        x: inputs, shape (B, D).
        seed: static int: params from PRNGKey(seed), the dropout key PRNGKey(seed + 1).
        train: static bool.
        hidden, out: static ints, the widths of fc1 and fc2.
        rate: static float, the probability of dropping a hidden unit.

    Returns:
        y of shape (B, out).
    """
    raise NotImplementedError
