"""Transformation checks (grad, vmap_consistent): the derived cases the trusted side adds,
their inputs, and the verdicts over canned outcomes. The real sandbox runs them in
tests/grader/test_transform_checks.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.execution import WEIGHTS, float_leaves
from grader.sandbox.protocol import CaseOutcome, RawStudentError
from grader.spec import Tolerance, load_problem
from grader.transforms import (
    derived_cases,
    derived_inputs,
    grad_weights,
    judge_grad,
    judge_vmap,
)
from tests.unit.test_spec import GOOD_FRONT_MATTER, make_problem

TOL = Tolerance(rtol=1e-5, atol=1e-6)

CHECKS = """checks:
  grad: {wrt: [x]}
  vmap_consistent: {over: [x], size: 3}
---"""


def problem_with_checks(tmp_path: Path, checks: str = CHECKS):
    front = GOOD_FRONT_MATTER.replace("---\n# Running sum", checks + "\n# Running sum")
    return load_problem(make_problem(tmp_path, "running-sum", front))


def test_derived_cases_per_mode(tmp_path: Path) -> None:
    spec = problem_with_checks(tmp_path).spec
    run = [d.name for d in derived_cases(spec, "run")]
    submit = [d.name for d in derived_cases(spec, "submit")]
    assert run == ["grad:example", "vmap:example", "vmap:example#1", "vmap:example#2"]
    assert submit == [
        "grad:example",
        "grad:hidden-1",
        "vmap:example",
        "vmap:example#1",
        "vmap:example#2",
        "vmap:hidden-1",
        "vmap:hidden-1#1",
        "vmap:hidden-1#2",
    ]
    hidden = [d for d in derived_cases(spec, "submit") if "hidden-1" in d.name]
    assert hidden and not any(d.visible for d in hidden)


def test_derived_inputs_stack_examples_and_draw_weights(tmp_path: Path) -> None:
    from grader.cases import case_inputs

    spec = problem_with_checks(tmp_path).spec
    hidden = spec.cases[1]
    base = case_inputs(hidden.args, hidden.seed)
    expected = {"y": np.zeros(16, np.float32), "n": np.int32(3)}
    by_name = {d.name: d for d in derived_cases(spec, "submit")}
    grad = derived_inputs(spec, by_name["grad:hidden-1"], base, expected)
    assert [w.shape for w in grad[WEIGHTS]] == [(16,)]  # float leaves only
    assert grad[WEIGHTS][0].dtype == np.float32
    np.testing.assert_array_equal(grad[WEIGHTS][0], grad_weights(expected, hidden.seed)[0])
    batched = derived_inputs(spec, by_name["vmap:hidden-1"], base, expected)
    first = derived_inputs(spec, by_name["vmap:hidden-1#1"], base, expected)
    assert batched["x"].shape == (3, 16)
    np.testing.assert_array_equal(batched["x"][0], base["x"])
    np.testing.assert_array_equal(batched["x"][1], first["x"])
    assert not np.array_equal(first["x"], base["x"])


def test_float_leaves_follow_jax_order() -> None:
    import jax

    tree = {"b": np.ones(2, np.float32), "a": (np.zeros(3, np.float32), np.int32(1))}
    ours = [np.shape(x) for x in float_leaves(tree)]
    theirs = [
        np.shape(x) for x in jax.tree_util.tree_leaves(tree) if np.ndim(x) or x.dtype.kind == "f"
    ]
    assert ours == [(3,), (2,)] == [s for s in theirs if s]


def test_checks_must_name_dynamic_arguments_and_real_cases(tmp_path: Path) -> None:
    from grader.spec import ProblemLoadError

    with pytest.raises(ProblemLoadError, match="not dynamic arguments"):
        problem_with_checks(tmp_path / "a", "checks:\n  grad: {wrt: [y]}\n---")
    with pytest.raises(ProblemLoadError, match="no cases named"):
        problem_with_checks(tmp_path / "b", "checks:\n  grad: {wrt: [x], cases: [nope]}\n---")


def _outcome(name, output=None, error=None):
    return CaseOutcome(name=name, output=output, error=error)


def test_grad_verdicts(tmp_path: Path) -> None:
    spec = problem_with_checks(tmp_path).spec
    assert spec.checks.grad is not None
    grad = [d for d in derived_cases(spec, "run") if d.kind == "grad"]
    want = {"grad:example": {"x": np.array([1.0, 2.0, 3.0], np.float32)}}
    same = {"grad:example": _outcome("grad:example", want["grad:example"])}
    assert judge_grad(spec.checks.grad, grad, same, want, TOL, "same_kind").passed
    cut = {"grad:example": _outcome("grad:example", {"x": np.array([1, 0, 0], np.float32)})}
    result = judge_grad(spec.checks.grad, grad, cut, want, TOL, "same_kind")
    assert not result.passed and "with respect to `x`" in result.message
    assert "stop_gradient" in result.message and "largest difference 3" in result.message
    loop = RawStudentError(
        "ValueError", "Reverse-mode differentiation does not work for lax.while_loop"
    )
    raised = {"grad:example": _outcome("grad:example", error=loop)}
    result = judge_grad(spec.checks.grad, grad, raised, want, TOL, "same_kind")
    assert not result.passed and "`lax.while_loop`" in result.message


def test_hidden_grad_failure_shows_no_values(tmp_path: Path) -> None:
    spec = problem_with_checks(tmp_path).spec
    assert spec.checks.grad is not None
    grad = [d for d in derived_cases(spec, "submit") if d.name == "grad:hidden-1"]
    want = {"grad:hidden-1": {"x": np.full(16, 7.25, np.float32)}}
    got = {"grad:hidden-1": _outcome("grad:hidden-1", {"x": np.zeros(16, np.float32)})}
    result = judge_grad(spec.checks.grad, grad, got, want, TOL, "same_kind")
    assert not result.passed and "on a hidden case" in result.message
    assert "7.25" not in result.message and "largest" not in result.message


def test_vmap_verdicts(tmp_path: Path) -> None:
    spec = problem_with_checks(tmp_path).spec
    check = spec.checks.vmap_consistent
    assert check is not None
    derived = [d for d in derived_cases(spec, "run") if d.kind != "grad"]
    rows = [np.arange(3, dtype=np.float32) + i for i in range(3)]
    outcomes = {
        "example": _outcome("example", rows[0]),
        "vmap:example#1": _outcome("vmap:example#1", rows[1]),
        "vmap:example#2": _outcome("vmap:example#2", rows[2]),
        "vmap:example": _outcome("vmap:example", np.stack(rows)),
    }
    assert judge_vmap(check, derived, outcomes, TOL, {}).passed
    mixed = dict(outcomes, **{"vmap:example": _outcome("vmap:example", np.stack(rows[::-1]))})
    result = judge_vmap(check, derived, mixed, TOL, {})
    assert not result.passed and "example 0 of the batch differs" in result.message
    failing = RawStudentError("ValueError", "vmap got inconsistent sizes")
    broke = dict(outcomes, **{"vmap:example": _outcome("vmap:example", error=failing)})
    result = judge_vmap(check, derived, broke, TOL, {})
    assert not result.passed and "fails under `jax.vmap` over `x`" in result.message


def test_stacked_python_scalars_keep_the_dtype_of_one_example() -> None:
    from grader.transforms import _stack

    stacked = _stack([{"a": 0.5, "n": 3, "flag": True}, {"a": 1.5, "n": 4, "flag": False}])
    assert stacked["a"].dtype == np.float32 and stacked["a"].shape == (2,)
    assert stacked["n"].dtype == np.int32 and stacked["flag"].dtype == np.bool_
