# Prepends the constant map h -> h0 as element 0 (a = anything, b = h0), scans T + 1
# elements, and drops the row of h0 from the output. The operator takes and returns dicts.
import jax.numpy as jnp
from jax import lax


def linear_recurrence(a, b, h0):
    def combine(x, y):
        return {"a": x["a"] * y["a"], "b": y["a"] * x["b"] + y["b"]}

    elems = {
        "a": jnp.concatenate([jnp.zeros_like(h0)[None], a]),
        "b": jnp.concatenate([h0[None], b]),
    }
    return lax.associative_scan(combine, elems)["b"][1:]
