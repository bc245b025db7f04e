"""The one way entry points are called and traced (shared by sandbox and references)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from grader.execution import call_entry


def scan_cumsum(x):
    def step(c, xi):
        return c + xi, c + xi

    return lax.scan(step, jnp.zeros((), x.dtype), x)[1]


def loop_cumsum(x):
    out, c = [], 0.0
    for t in range(x.shape[0]):
        c = c + x[t]
        out.append(c)
    return jnp.stack(out)


def powers(n):
    return lax.scan(lambda c, _: (c * 2, c), jnp.int32(1), None, length=n)[1]


def test_call_entry_returns_numpy_and_honours_static_args() -> None:
    out = call_entry(powers, {"n": 5}, ("n",))
    assert isinstance(out, np.ndarray) and out.dtype == np.int32
    np.testing.assert_array_equal(out, [1, 2, 4, 8, 16])


def test_call_entry_tuple_and_dict_outputs_stay_plain() -> None:
    out = call_entry(lambda x: (x, {"s": x.sum()}), {"x": np.ones(3, np.float32)}, ())
    assert isinstance(out, tuple) and isinstance(out[1], dict)
    assert float(out[1]["s"]) == 3.0
