"""Wrong-value diagnoses of the verdict over canned outcomes: parameters that differ from
the reference's, and a run where most cases raise."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.cases import case_inputs
from grader.config import GraderLimits
from grader.sandbox.protocol import CaseOutcome, RawStudentError, RunLimits, RunOutcome, RunRequest
from grader.spec import load_problem
from grader.verdict import PreparedRun, judge
from tests.unit.test_spec import GOOD_FRONT_MATTER, make_problem

THREE_CASES = GOOD_FRONT_MATTER.replace(
    "structure:",
    """  - name: hidden-2
    seed: 4
    args:
      x: {shape: [8], dist: normal}
structure:""",
)


def prepared(tmp_path: Path, front: str) -> PreparedRun:
    problem = load_problem(make_problem(tmp_path, "running-sum", front))
    cases = problem.spec.cases
    inputs = {c.name: case_inputs(c.args, c.seed) for c in cases}
    request = RunRequest(
        source="",
        entry_point="cumulative_sum",
        static_argnames=(),
        cases=tuple((c.name, inputs[c.name]) for c in cases if c.visible),
        hidden_cases=tuple((c.name, inputs[c.name]) for c in cases if not c.visible),
    )
    limits = RunLimits.from_settings(GraderLimits())
    return PreparedRun(problem, cases, inputs, request, limits)


def test_most_cases_raising_is_an_error_led_by_the_error(tmp_path: Path) -> None:
    p = prepared(tmp_path, THREE_CASES)
    err = RawStudentError("TypeError", "unsupported operand", lineno=3)
    expected = {c.name: np.zeros(3, np.float32) for c in p.cases}
    outcome = RunOutcome(
        kind="ok",
        cases=[
            CaseOutcome("example", error=err),
            CaseOutcome("hidden-1", error=err),
            CaseOutcome("hidden-2", output=np.zeros(3, np.float32)),
        ],
    )
    result = judge(prepared=p, outcome=outcome, expected=expected, mode="submit")
    assert result.status == "error"
    assert result.summary.startswith("Your code raised an error in 2 of 3 test cases: TypeError")


def test_one_case_of_three_raising_is_still_a_failure(tmp_path: Path) -> None:
    p = prepared(tmp_path, THREE_CASES)
    err = RawStudentError("TypeError", "unsupported operand", lineno=3)
    expected = {c.name: np.zeros(3, np.float32) for c in p.cases}
    outcome = RunOutcome(
        kind="ok",
        cases=[
            CaseOutcome("example", error=err),
            CaseOutcome("hidden-1", output=np.zeros(3, np.float32)),
            CaseOutcome("hidden-2", output=np.zeros(3, np.float32)),
        ],
    )
    assert judge(prepared=p, outcome=outcome, expected=expected, mode="submit").status == "failed"


def _init_problem(tmp_path: Path) -> PreparedRun:
    return prepared(
        tmp_path, GOOD_FRONT_MATTER.replace("structure:", "initialises_params: true\nstructure:")
    )


def _message(p: PreparedRun, expected, got) -> str:
    outcome = RunOutcome(
        kind="ok", cases=[CaseOutcome("example", output=got), CaseOutcome("hidden-1", output=got)]
    )
    result = judge(
        prepared=p,
        outcome=outcome,
        expected={"example": expected, "hidden-1": expected},
        mode="run",
    )
    message = result.cases[0].message
    assert message is not None
    return message


def test_wrong_parameters_are_named_where_the_output_shows_them(tmp_path: Path) -> None:
    p = _init_problem(tmp_path)
    y = np.arange(4, dtype=np.float32)
    kernel = np.ones((2, 2), np.float32)
    message = _message(p, (y, {"kernel": kernel}), (y + 1, {"kernel": kernel * 2}))
    assert "your parameters (`output[1]['kernel']`) already differ" in message
    assert "nnx.Rngs(seed)" in message
    # Right parameters, wrong output: the mistake is elsewhere, and no hint says otherwise.
    assert "initialiser" not in _message(p, (y, {"kernel": kernel}), (y + 1, {"kernel": kernel}))


def test_every_value_wrong_with_right_shapes_suggests_the_initialisation(tmp_path: Path) -> None:
    p = _init_problem(tmp_path)
    y = np.arange(1, 9, dtype=np.float32)
    assert "parameters other than the reference's" in _message(p, y, -y)
    # A few wrong values are some other mistake.
    partly = y.copy()
    partly[-1] = 0
    assert "initialiser" not in _message(p, y, partly)


def test_an_associative_scan_is_named_not_called_a_python_loop(tmp_path: Path) -> None:
    from grader.sandbox.protocol import ProgramFacts
    from grader.structure import run_structure_checks

    spec = load_problem(make_problem(tmp_path, "running-sum")).spec
    # What lax.associative_scan lowers to: no loop; slices, pads and concatenations
    # whose count grows with log2(T).
    small = ProgramFacts(op_count=25, op_counts={"stablehlo.pad": 4}, loops=0)
    large = ProgramFacts(op_count=78, op_counts={"stablehlo.pad": 12}, loops=0)
    outcomes = [CaseOutcome("example", facts=small), CaseOutcome("hidden-1", facts=large)]
    uses, unrolled = run_structure_checks(spec, outcomes)
    assert not uses.passed and "`jax.lax.associative_scan`" in uses.message
    assert not unrolled.passed and "associative_scan" in unrolled.message
    assert "unrolled in Python" not in unrolled.message
    # An unrolled Python loop pads nothing: it is called what it is.
    loop = ProgramFacts(op_count=262, op_counts={"stablehlo.slice": 64}, loops=0)
    outcomes = [CaseOutcome("example", facts=small), CaseOutcome("hidden-1", facts=loop)]
    _, unrolled = run_structure_checks(spec, outcomes[:1] + outcomes[1:])
    assert "unrolled in Python" in unrolled.message
