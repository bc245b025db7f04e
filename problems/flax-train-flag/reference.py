"""Reference solution for flax-train-flag."""

import flax.linen as nn
import jax


class DropoutMLP(nn.Module):
    """``fc2(dropout(relu(fc1(x))))``, with dropout active only when ``train`` is True."""

    hidden: int
    out: int
    rate: float

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        h = nn.relu(nn.Dense(self.hidden, name="fc1")(x))
        h = nn.Dropout(rate=self.rate, name="dropout")(h, deterministic=not train)
        return nn.Dense(self.out, name="fc2")(h)


def dropout_mlp(
    x: jax.Array, seed: int, train: bool, hidden: int, out: int, rate: float
) -> jax.Array:
    """Initialise ``DropoutMLP`` in eval mode, then run it in the mode ``train`` asks for.

    Args:
        x: inputs, shape (B, D).
        seed: static int: parameters from ``PRNGKey(seed)``, the dropout mask from
            ``PRNGKey(seed + 1)``.
        train: static bool: dropout active (True) or the identity (False).
        hidden: static int, width of ``fc1``.
        out: static int, width of ``fc2``.
        rate: static float in [0, 1): the probability of dropping each hidden unit.

    Returns:
        The outputs, shape (B, out).
    """
    model = DropoutMLP(hidden=hidden, out=out, rate=rate)
    variables = model.init(jax.random.PRNGKey(seed), x, train=False)
    if train:
        return model.apply(variables, x, train=True, rngs={"dropout": jax.random.PRNGKey(seed + 1)})
    return model.apply(variables, x, train=False)
