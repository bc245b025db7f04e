"""compare_outputs: structure first, then shape, dtype, finiteness and values per leaf."""

import numpy as np
import pytest

from grader.compare import compare_outputs
from grader.spec import Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)


def cmp(expected, got, **kw):
    kw.setdefault("tolerance", TOL)
    return compare_outputs(expected, got, **kw)


# The time axis of a plain sequence output, as a problem's `time_axes` declares it.
TIME = {"output": 0}


def seq(n=16, seed=0):
    return np.cumsum(np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


def test_identical_trees_pass():
    tree = {"h": seq(), "hs": (seq(4), np.float32(1.0))}
    assert cmp(tree, tree).passed


def test_values_within_tolerance_pass():
    e = seq()
    assert cmp(e, e + np.float32(5e-7)).passed


def test_tuple_expected_single_array_got():
    result = cmp((seq()[-1], np.ones((16, 8), np.float32)), seq())
    assert not result.passed
    assert (
        result.message == "output: wrong structure: expected a tuple of 2 outputs, "
        "got a single array of shape (16,)"
    )


def test_output_names_are_used_in_structure_messages():
    result = cmp((np.zeros(8), np.zeros((16, 8))), np.zeros(8), output_names=("h_T", "hs"))
    assert "expected a tuple of 2 outputs (h_T, hs), got a single array" in result.message


def test_list_and_tuple_are_interchangeable():
    e = (np.zeros(3, np.float32), np.ones(2, np.float32))
    assert cmp(e, [np.zeros(3, np.float32), np.ones(2, np.float32)]).passed


def test_dict_keys_must_match():
    result = cmp({"a": np.zeros(2)}, {"b": np.zeros(2)})
    assert not result.passed
    assert "missing key(s) 'a'" in result.message and "unexpected key(s) 'b'" in result.message


def test_transposed_output_is_named():
    result = cmp(
        (np.zeros(8), np.zeros((16, 8), np.float32)), (np.zeros(8), np.zeros((8, 16), np.float32))
    )
    assert result.message == "output[1]: expected shape (16, 8), got (8, 16) — did you transpose?"
    assert result.divergence is not None and result.divergence.leaf == "output[1]"


def test_final_carry_instead_of_all_steps():
    result = cmp(seq(), np.float32(3.0))
    assert "expected shape (16,), got ()" in result.message
    assert "the final carry?), but all 16 steps are expected" in result.message


def test_one_step_too_few():
    result = cmp(seq(16), seq(15))
    assert "one step too few" in result.message


def test_int_expected_float_got_under_same_kind():
    result = cmp(np.array([1, 2, 4], np.int32), np.array([1, 2, 4], np.float32))
    assert not result.passed
    assert result.message.startswith("output: wrong dtype: expected int32, got float32")


def test_exact_policy_rejects_other_float_width_same_kind_accepts():
    e = np.arange(3, dtype=np.float32)
    assert cmp(e, e.astype(np.float16), dtype_policy="same_kind").passed
    assert not cmp(e, e.astype(np.float16), dtype_policy="exact").passed


def test_nan_where_reference_is_finite():
    e = seq()
    g = e.copy()
    g[3] = np.nan
    result = cmp(e, g, time_axes=TIME)
    assert not result.passed
    assert "1 value is NaN where the reference is finite (first at index [3])" in result.message
    assert result.divergence.first_bad_step == 3


def test_nan_in_reference_must_be_matched_by_nan():
    e = np.array([1.0, np.nan, np.inf], np.float32)
    assert cmp(e, e.copy()).passed
    assert not cmp(e, np.array([1.0, 0.0, np.inf], np.float32)).passed
    assert not cmp(e, np.array([1.0, np.nan, -np.inf], np.float32)).passed


def test_worst_error_and_first_step_are_reported():
    e = seq()
    g = e.copy()
    g[5] += 0.5
    g[9] += 2.0
    result = cmp(e, g, time_axes=TIME)
    d = result.divergence
    assert d.worst_index == [9] and d.first_bad_step == 5
    assert d.max_abs_error == pytest.approx(2.0, rel=1e-5)
    assert "value mismatch in 2 of 16 elements" in result.message
    assert "first differs at step 5 of 16" in result.message


def test_exclusive_scan_is_recognised():
    x = np.arange(1, 17, dtype=np.float32)
    e = np.cumsum(x)
    g = np.concatenate([[0.0], e[:-1]]).astype(np.float32)
    result = cmp(e, g, time_axes=TIME)
    assert "shifted by one step" in result.message and "exclusive scan" in result.message


def test_skipped_first_step_is_recognised():
    e = seq()
    g = np.concatenate([e[1:], [0.0]]).astype(np.float32)
    assert "expected output[t+1]" in cmp(e, g, time_axes=TIME).message


def test_reversed_output_is_recognised():
    e = seq()
    assert "reversed" in cmp(e, e[::-1].copy(), time_axes=TIME).message


def test_shift_along_second_axis_of_batch():
    e = np.cumsum(np.random.default_rng(1).standard_normal((4, 10)), axis=1).astype(np.float32)
    g = np.concatenate([np.zeros((4, 1), np.float32), e[:, :-1]], axis=1)
    assert "along axis 1" in cmp(e, g, time_axes={"output": 1}).message


def test_steps_are_named_only_along_a_declared_time_axis():
    """A final state (H,) or a batch has no steps: without a declared time axis the
    message names the index, never a step, and guesses no shift."""
    e = seq()
    g = np.concatenate([[0.0], e[:-1]]).astype(np.float32)
    message = cmp(e, g).message
    assert "step" not in message and "shifted" not in message
    assert "at index [" in message
    batch = np.cumsum(np.random.default_rng(2).standard_normal((4, 10)), axis=1)
    bad = batch.astype(np.float32).copy()
    bad[2, 7] += 1.0
    result = cmp(batch.astype(np.float32), bad, time_axes={"output": 1})
    assert "first differs at step 7 of 10 (axis 1)" in result.message
    assert result.divergence.first_bad_step == 7
    # Time axes name leaves: the final state of (h_T, hs) gets no step wording.
    tree = (seq(4), np.stack([seq(4, 1), seq(4, 2)]))
    wrong = (tree[0] + 1, tree[1])
    assert "step" not in cmp(tree, wrong, time_axes={"output[1]": 0}).message


def test_suffix_sums_and_prefix_sums_are_told_apart():
    x = np.random.default_rng(3).standard_normal(12).astype(np.float32)
    prefix = np.cumsum(x).astype(np.float32)
    suffix = np.cumsum(x[::-1])[::-1].astype(np.float32).copy()
    assert "sums from the other end" in cmp(prefix, suffix, time_axes=TIME).message
    assert "sums to the end" in cmp(suffix, prefix, time_axes=TIME).message


def test_scalar_leaf_mismatch():
    result = cmp(np.float32(1.0), np.float32(2.0))
    assert not result.passed and "largest error 1" in result.message


def test_integer_values_compare_exactly_enough():
    e = 2 ** np.arange(20, dtype=np.int32)
    g = e.copy()
    g[19] += 1
    assert not cmp(e, g, tolerance=Tolerance(rtol=0, atol=0)).passed
