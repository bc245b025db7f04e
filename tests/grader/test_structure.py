"""Structural checks over the executor's facts about each judged case's program:
uses (a loop that matters), not_unrolled (no growth across cases), forbid, and the vmap
advice (the runner's word: never a check)."""

from __future__ import annotations

from typing import Any

import pytest

from grader.sandbox.protocol import CaseOutcome, ProgramFacts, RawStudentError
from grader.spec import ProblemSpec
from grader.structure import NOT_CHECKED, advice, run_structure_checks

REDUCE_WINDOW = {
    "op": "stablehlo.reduce_window",
    "message": "your program computes a cumulative sum with jnp.cumsum; use jax.lax.scan",
}
ERROR = RawStudentError(type="TypeError", message="bad shapes", lineno=4)


def spec_with(structure: dict[str, Any]) -> ProblemSpec:
    case_args = {"x": {"shape": [4]}}
    return ProblemSpec.model_validate(
        {
            "title": "t" * 5,
            "difficulty": "easy",
            "entry_point": "f",
            "args": [{"name": "x"}],
            "cases": [
                {"name": "a", "visible": True, "args": case_args},
                {"name": "b", "args": case_args},
            ],
            "structure": structure,
        }
    )


def program(
    op_count: int = 12, loops: int = 1, ops: dict[str, int] | None = None, **extra: int
) -> ProgramFacts:
    counts = ops if ops is not None else {"stablehlo.while": loops, "stablehlo.add": 3}
    return ProgramFacts(op_count=op_count, op_counts={**counts, **extra}, loops=loops)


def ran(
    name: str,
    facts: ProgramFacts | None = None,
    *,
    loop_matters: bool | None = True,
    vmap_calls: int = 0,
    error: RawStudentError | None = None,
) -> CaseOutcome:
    """A case the executor ran with the program ``facts`` describes."""
    return CaseOutcome(
        name,
        output=None if error else [1.0],
        error=error,
        time_ms=1.0,
        facts=facts or program(),
        loop_matters=loop_matters,
        vmap_calls=vmap_calls,
    )


def not_built(name: str) -> CaseOutcome:
    """A case whose program was never built (the export raised): no facts."""
    return CaseOutcome(name, error=ERROR)


def by_name(spec: ProblemSpec, outcomes: list[CaseOutcome], **kw: Any) -> dict[str, Any]:
    return {c.name: c for c in run_structure_checks(spec, outcomes, **kw)}


# ---------------------------------------------------------------------------- uses: scan

SCAN = spec_with({"uses": ["scan"]})


def test_a_loop_that_matters_in_every_program_passes() -> None:
    [check] = run_structure_checks(SCAN, [ran("a"), ran("b", program(40))])
    assert check.name == "uses_scan" and check.passed
    assert check.message == "your program computes its output with a loop"


def test_a_case_that_did_not_run_does_not_fail_the_loop_check() -> None:
    # a runtime error: the program has a loop, and no perturbation was tried
    outcomes = [ran("a"), ran("b", loop_matters=None, error=ERROR)]
    [check] = run_structure_checks(SCAN, outcomes)
    assert check.passed


def test_no_loop_fails() -> None:
    cumsum = program(5, loops=0, ops={"stablehlo.reduce_window": 1})
    [check] = run_structure_checks(SCAN, [ran("a", cumsum, loop_matters=None)])
    assert not check.passed
    assert check.message.startswith("your program contains no loop")
    assert "`jax.lax.scan`" in check.message and "jnp.cumsum" in check.message


def test_every_program_must_have_a_loop() -> None:
    # a loop for one signature is not enough: the other program computes without one
    outcomes = [ran("a"), ran("b", program(5, loops=0), loop_matters=None)]
    [check] = run_structure_checks(SCAN, outcomes)
    assert not check.passed and "contains no loop" in check.message


@pytest.mark.parametrize("idle_case", ["a", "b"])
def test_a_loop_whose_results_do_not_reach_the_output_fails(idle_case: str) -> None:
    # e.g. the scan's result thrown away, or multiplied by zero, on any judged case
    outcomes = [ran(name, loop_matters=name != idle_case) for name in ("a", "b")]
    [check] = run_structure_checks(SCAN, outcomes)
    assert not check.passed
    assert "do not reach the output" in check.message
    assert "contains no loop" not in check.message


def test_loop_check_not_checked_without_programs() -> None:
    [check] = run_structure_checks(SCAN, [not_built("a"), not_built("b")])
    assert not check.passed and check.message == NOT_CHECKED
    assert "not checked" in check.message


def test_cases_without_programs_are_left_out_of_the_loop_check() -> None:
    [check] = run_structure_checks(SCAN, [ran("a"), not_built("b")])
    assert check.passed
    [check] = run_structure_checks(SCAN, [ran("a", program(loops=0)), not_built("b")])
    assert not check.passed


# ---------------------------------------------------------------------------- not_unrolled

UNROLLED = spec_with({"not_unrolled": {"max_growth": 1.2}})


def test_growth_over_max_growth_fails_as_unrolled() -> None:
    outcomes = [ran("a", program(25)), ran("b", program(49))]
    [check] = run_structure_checks(UNROLLED, outcomes)
    assert check.name == "not_unrolled" and not check.passed
    assert check.message == (
        "your program has 25 operations for case `a` and 49 for case `b`: it grows with the "
        "input, so a loop was unrolled in Python; use `jax.lax.scan` (and `jax.vmap` for a "
        "batch)"
    )


def test_a_problem_can_say_what_to_do_instead_of_unrolling() -> None:
    vmap_problem = spec_with(
        {"not_unrolled": {"max_growth": 1.2, "advice": "map the example function with `jax.vmap`"}}
    )
    [check] = run_structure_checks(vmap_problem, [ran("a", program(25)), ran("b", program(49))])
    assert check.message.endswith("unrolled in Python; map the example function with `jax.vmap`")
    assert "lax.scan" not in check.message


def test_not_unrolled_compares_the_smallest_and_largest_program_in_any_order() -> None:
    outcomes = [ran("big", program(90)), ran("mid", program(60)), ran("small", program(30))]
    [check] = run_structure_checks(UNROLLED, outcomes)
    assert not check.passed
    assert "30 operations for case `small` and 90 for case `big`" in check.message
    assert "unrolled" in check.message


def test_not_unrolled_names_cases_by_their_labels() -> None:
    outcomes = [ran("a", program(10)), ran("b", program(30))]
    labels = {"a": "the visible example", "b": "a hidden test case"}
    [check] = run_structure_checks(UNROLLED, outcomes, labels)
    assert "10 operations for the visible example and 30 for a hidden test case" in (check.message)


@pytest.mark.parametrize(
    ("small", "large", "passed"),
    [(100, 120, True), (100, 121, False), (10, 10, True), (0, 1, True), (0, 2, False)],
)
def test_not_unrolled_tolerates_growth_up_to_max_growth(
    small: int, large: int, passed: bool
) -> None:
    [check] = run_structure_checks(UNROLLED, [ran("a", program(small)), ran("b", program(large))])
    assert check.passed is passed
    assert ("unrolled in Python" in check.message) is not passed


def test_max_growth_comes_from_the_spec() -> None:
    loose = spec_with({"not_unrolled": {"max_growth": 2.5}})
    outcomes = [ran("a", program(10)), ran("b", program(24))]
    assert by_name(loose, outcomes)["not_unrolled"].passed
    assert not by_name(UNROLLED, outcomes)["not_unrolled"].passed


def test_constant_size_passes() -> None:
    [check] = run_structure_checks(UNROLLED, [ran("a", program(7)), ran("b", program(7))])
    assert check.passed
    assert check.message.startswith("your program has 7 operations for every input")
    assert check.message.endswith("the loop is not unrolled")
    [check] = run_structure_checks(UNROLLED, [ran("a", program(10)), ran("b", program(11))])
    assert check.passed and check.message.endswith("the loop is not unrolled")
    assert "10 operations for case `a` and 11 for case `b`" in check.message


def test_not_unrolled_leaves_out_cases_without_programs() -> None:
    # only programs are compared: a failed export has no size
    [check] = run_structure_checks(UNROLLED, [ran("a", program(30)), not_built("b")])
    assert check.passed and "30 operations for every input" in check.message
    [check] = run_structure_checks(UNROLLED, [not_built("a"), not_built("b")])
    assert not check.passed and check.message == NOT_CHECKED


# ---------------------------------------------------------------------------- forbid

FORBID = spec_with({"forbid": [REDUCE_WINDOW]})


def test_a_forbidden_op_fails_with_the_rules_message() -> None:
    cumsum = program(5, loops=0, ops={"stablehlo.reduce_window": 1})
    [check] = run_structure_checks(FORBID, [ran("a"), ran("b", cumsum)])
    assert check.name == "no_reduce_window" and not check.passed
    assert check.message == REDUCE_WINDOW["message"]


def test_a_program_without_the_forbidden_op_passes() -> None:
    outcomes = [ran("a"), ran("b", program(**{"stablehlo.reduce_window": 0}))]
    [check] = run_structure_checks(FORBID, outcomes)
    assert check.passed and check.message == "your program uses no `stablehlo.reduce_window`"


def test_each_rule_is_its_own_check() -> None:
    spec = spec_with(
        {
            "forbid": [
                REDUCE_WINDOW,
                {"op": "stablehlo.custom_call", "message": "no host callbacks, please"},
            ]
        }
    )
    checks = by_name(spec, [ran("a", program(**{"stablehlo.custom_call": 2}))])
    assert list(checks) == ["no_reduce_window", "no_custom_call"]
    assert checks["no_reduce_window"].passed
    assert not checks["no_custom_call"].passed
    assert checks["no_custom_call"].message == "no host callbacks, please"


def test_forbid_not_checked_without_programs() -> None:
    [check] = run_structure_checks(FORBID, [not_built("a")])
    assert check.name == "no_reduce_window" and not check.passed
    assert check.message == NOT_CHECKED


# ---------------------------------------------------------------------------- together


def test_every_check_in_a_stable_order() -> None:
    spec = spec_with(
        {"uses": ["scan"], "not_unrolled": {"max_growth": 1.2}, "forbid": [REDUCE_WINDOW]}
    )
    checks = run_structure_checks(spec, [ran("a"), ran("b")])
    assert [c.name for c in checks] == ["uses_scan", "not_unrolled", "no_reduce_window"]
    assert all(c.passed for c in checks)


def test_all_errored_fails_every_check_as_not_checked() -> None:
    spec = spec_with(
        {"uses": ["scan"], "not_unrolled": {"max_growth": 1.2}, "forbid": [REDUCE_WINDOW]}
    )
    checks = run_structure_checks(spec, [not_built("a"), not_built("b")])
    assert [c.name for c in checks] == ["uses_scan", "not_unrolled", "no_reduce_window"]
    assert all(not c.passed and "not checked" in c.message for c in checks)
    # no case at all (nothing came back) is not a pass either
    assert all(not c.passed for c in run_structure_checks(spec, []))


def test_no_structure_no_checks() -> None:
    assert run_structure_checks(spec_with({}), [ran("a")]) == []


def test_vmap_is_never_a_check() -> None:
    spec = spec_with({"uses": ["scan"], "vmap": True})
    for calls in (0, 3):
        checks = run_structure_checks(spec, [ran("a", vmap_calls=calls)])
        assert [c.name for c in checks] == ["uses_scan"] and checks[0].passed


# ---------------------------------------------------------------------------- advice

VMAP = spec_with({"uses": ["scan"], "vmap": True})


def test_vmap_advice_when_no_program_called_vmap() -> None:
    [note] = advice(VMAP, [ran("a"), ran("b")])
    assert "`jax.vmap`" in note and "accepted" in note


def test_no_vmap_advice_when_vmap_was_called() -> None:
    assert advice(VMAP, [ran("a", vmap_calls=1), ran("b", vmap_calls=1)]) == []
    assert advice(VMAP, [ran("a", vmap_calls=0), ran("b", vmap_calls=2)]) == []


def test_no_vmap_advice_unless_the_spec_asks() -> None:
    assert advice(spec_with({"uses": ["scan"]}), [ran("a"), ran("b")]) == []


def test_no_vmap_advice_when_no_program_was_built() -> None:
    assert advice(VMAP, [not_built("a"), not_built("b")]) == []
    assert advice(VMAP, []) == []
