"""Reference solution for nnx-vmap-ensemble."""

import jax
from flax import nnx


class Member(nnx.Module):
    """One ensemble member: a two-layer MLP, ``out(relu(hidden(x)))``."""

    def __init__(self, din: int, dhidden: int, dout: int, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(jax.nn.relu(self.hidden(x)))


def ensemble_forward(seed: int, x: jax.Array, E: int, hidden: int, features: int) -> jax.Array:
    """Build E Members at once with nnx.split_rngs + nnx.vmap, and apply every member
    to the same batch with nnx.vmap.

    Args:
        seed: static int, the seed of the one ``nnx.Rngs`` the ensemble is built from.
        x: the shared input batch, shape (B, D).
        E: static int >= 1, the number of members.
        hidden: static int, each member's hidden width.
        features: static int, each member's output width.

    Returns:
        Every member's prediction for every row, shape (E, B, features).
    """

    # One key per member (split E ways), one vectorised constructor call: every
    # parameter of the result has a leading member axis of size E.
    @nnx.split_rngs(splits=E)
    @nnx.vmap(in_axes=(0,), out_axes=0)
    def create_ensemble(rngs: nnx.Rngs) -> Member:
        return Member(x.shape[-1], hidden, features, rngs=rngs)

    ensemble = create_ensemble(nnx.Rngs(seed))  # ensemble.hidden.kernel: (E, D, hidden)

    # Members are mapped (axis 0); the batch is shared (None), not split across members.
    @nnx.vmap(in_axes=(0, None), out_axes=0)
    def predict(member: Member, batch: jax.Array) -> jax.Array:
        return member(batch)

    return predict(ensemble, x)
