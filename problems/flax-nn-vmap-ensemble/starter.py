import jax
import jax.numpy as jnp
import flax.linen as nn


class MLP(nn.Module):
    """One member: Dense(hidden) named "fc1", relu, Dense(out) named "fc2"."""

    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        raise NotImplementedError


def ensemble_predict(seed, x, members, hidden, out):
    """Predictions of `members` independently initialised MLPs on the same x.

    Args:
        seed: static int, seed of the PRNGKey passed to ``init``.
        x: inputs, shape (B, D), shared by every member.
        members: static int E >= 2.
        hidden: static int, width of fc1.
        out: static int, width of fc2.

    Returns:
        Predictions of shape (E, B, out).
    """
    # TODO: lift MLP with nn.vmap (params stacked on axis 0, one init key per member,
    # x not mapped), use it as the top-level module, init with PRNGKey(seed), apply.
    raise NotImplementedError
