import jax
import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    """A forward and a backward Elman RNN over xs, their states paired by time step.

    Args:
        params: {"fwd": p, "bwd": p}, each p a dict with "W_hh" (H, H), "W_xh" (H, D)
            and "b" (H,).
        h0: {"fwd": (H,), "bwd": (H,)}: the initial state of each direction.
        xs: inputs, shape (T, D), time first.

    Returns:
        An array of shape (T, 2H): row t is the forward state that has read xs[0..t]
        followed by the backward state that has read xs[T-1..t].
    """

    def cell(p, h_prev, x_t):
        # TODO: one Elman step with the parameters p
        raise NotImplementedError

    # TODO: a forward scan, a backward scan, then line the rows up and concatenate
    raise NotImplementedError
