# One scan whose carry is the pair of states: step k feeds x_k to the forward cell and
# x_{T-1-k} to the backward cell; the backward outputs are reversed at the end.
import jax.numpy as jnp
from jax import lax


def bidirectional_rnn(params, h0, xs):
    pf, pb = params["fwd"], params["bwd"]

    def step(carry, pair):
        h_f, h_b = carry
        x_f, x_b = pair
        h_f = jnp.tanh(pf["W_hh"] @ h_f + pf["W_xh"] @ x_f + pf["b"])
        h_b = jnp.tanh(pb["W_hh"] @ h_b + pb["W_xh"] @ x_b + pb["b"])
        return (h_f, h_b), (h_f, h_b)

    _, (hs_f, hs_b_rev) = lax.scan(step, (h0["fwd"], h0["bwd"]), (xs, xs[::-1]))
    return jnp.concatenate([hs_f, hs_b_rev[::-1]], axis=-1)
