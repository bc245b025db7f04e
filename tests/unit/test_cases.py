"""Case inputs are deterministic per (seed, leaf path) and honour shape/dtype/dist."""

from __future__ import annotations

import numpy as np

from grader.cases import case_inputs, describe
from grader.spec import parse_arg_value


def _args(raw: dict) -> dict:
    return {k: parse_arg_value(v, k) for k, v in raw.items()}


def test_same_seed_same_values_other_seed_other_values() -> None:
    args = _args({"x": {"shape": [4, 3]}})
    a, b, c = case_inputs(args, 1), case_inputs(args, 1), case_inputs(args, 2)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert not np.array_equal(a["x"], c["x"])
    assert a["x"].shape == (4, 3) and a["x"].dtype == np.float32


def test_adding_a_leaf_does_not_change_the_others() -> None:
    one = case_inputs(_args({"p": {"W": {"shape": [3]}}}), 5)
    two = case_inputs(_args({"p": {"W": {"shape": [3]}, "b": {"shape": [3]}}}), 5)
    np.testing.assert_array_equal(one["p"]["W"], two["p"]["W"])


def test_dists_and_literals() -> None:
    out = case_inputs(
        _args(
            {
                "i": {"shape": [50], "dist": "randint", "low": 2, "high": 5, "dtype": "int32"},
                "u": {"shape": [50], "dist": "uniform", "low": -1, "high": 1},
                "r": {"shape": [2, 3], "dist": "arange"},
                "lit": {"value": [[1, 2]], "dtype": "int32"},
                "n": 7,
            }
        ),
        0,
    )
    assert out["i"].dtype == np.int32 and out["i"].min() >= 2 and out["i"].max() <= 4
    assert out["u"].min() >= -1 and out["u"].max() < 1
    np.testing.assert_array_equal(out["r"], np.arange(6, dtype=np.float32).reshape(2, 3))
    assert out["lit"].shape == (1, 2) and out["lit"].dtype == np.int32
    assert out["n"] == 7


def test_describe_is_short_for_big_arrays() -> None:
    text = describe({"x": np.arange(1000, dtype=np.float32)})
    assert "float32[1000]" in text and len(text) < 120
    assert describe(np.array([1.0, 2.0], dtype=np.float32)).startswith("[1., 2.]")


def test_a_scalar_stays_0_d() -> None:
    """np.ascontiguousarray makes a 0-d array shape (1,); a case's scalar must stay ()."""
    from grader.cases import materialize
    from grader.spec import ArrayGen, ArrayLiteral

    literal = materialize(ArrayLiteral(value=0.9, dtype="float32"), seed=1)
    drawn = materialize(ArrayGen(shape=[], dist="uniform", low=0.5, high=2.0), seed=1)
    assert literal.shape == () and literal.dtype == np.float32
    assert drawn.shape == () and drawn.flags.c_contiguous
    matrix = materialize(ArrayGen(shape=[2, 3]), seed=1)
    assert matrix.shape == (2, 3) and matrix.flags.c_contiguous
