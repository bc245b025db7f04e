import jax
import jax.numpy as jnp
from flax import nnx


class Member(nnx.Module):
    """One ensemble member: out(relu(hidden(x))). Keep it exactly as it is."""

    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed, x, E, hidden, features):
    """Build E Members with nnx.split_rngs + nnx.vmap; apply each to the whole batch x.

    Args:
        seed: static int, the seed of the one nnx.Rngs the ensemble is built from.
        x: the shared input batch, shape (B, D).
        E: static int >= 1, the number of members.
        hidden: static int, each member's hidden width.
        features: static int, each member's output width.

    Returns:
        Every member's prediction, shape (E, B, features).
    """
    # TODO: a constructor for ONE Member, decorated with nnx.split_rngs(splits=E) and
    # nnx.vmap(in_axes=(0,), out_axes=0), called on nnx.Rngs(seed)
    # TODO: an nnx.vmap'ed forward that maps the members but shares x
    raise NotImplementedError
