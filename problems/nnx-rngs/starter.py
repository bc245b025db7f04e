import jax
import jax.numpy as jnp
from flax import nnx


def rngs_forward(seed, x, hidden, out, rate):
    """Build Linear -> relu -> Dropout -> Linear from named nnx.Rngs streams and run it
    twice in training mode.

    Args:
        seed: static int; the "params" stream starts from seed, "dropout" from seed + 1.
        x: inputs, shape (B, D).
        hidden: static int, width of the hidden layer.
        out: static int, number of output features.
        rate: static float in (0, 1), the probability of dropping a unit.

    Returns:
        {"kernel1": first layer's kernel (D, hidden),
         "y1": first forward pass (B, out), "y2": second forward pass (B, out)}
    """
    # TODO: make the Rngs, create the three layers in the prescribed order, call twice
    raise NotImplementedError
