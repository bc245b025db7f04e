"""Reference solution for flax-nn-vmap-ensemble."""

import flax.linen as nn
import jax


class MLP(nn.Module):
    """One ensemble member: ``fc2(relu(fc1(x)))``."""

    hidden: int
    out: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        return nn.Dense(self.out, name="fc2")(h)


def ensemble_predict(seed: int, x: jax.Array, members: int, hidden: int, out: int) -> jax.Array:
    """Predictions of ``members`` independently initialised MLPs on the same batch.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: inputs, shape (B, D), shared by every member.
        members: static int E >= 2, the ensemble size.
        hidden: static int, width of ``fc1``.
        out: static int, width of ``fc2``.

    Returns:
        The stacked predictions, shape (E, B, out): member e's output is ``[e]``.
    """
    Ensemble = nn.vmap(
        MLP,
        variable_axes={"params": 0},  # every parameter gets a leading member axis
        split_rngs={"params": True},  # a different init key per member
        in_axes=None,  # x is not mapped: every member sees the whole batch
        out_axes=0,
        axis_size=members,
    )
    model = Ensemble(hidden=hidden, out=out)
    variables = model.init(jax.random.PRNGKey(seed), x)
    return model.apply(variables, x)
