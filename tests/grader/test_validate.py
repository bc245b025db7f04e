"""The trusted parts of problem validation: trivial answers and expectation matching."""

import numpy as np

from grader.cases import case_inputs
from grader.result import CaseResult, CheckResult, GradeResult, StudentError
from grader.validate import check_solution, result_mentions, trivial_answers_that_pass


def expected_for(problem):
    return {
        c.name: (np.cumsum(a["x"]) * a["scale"]).astype(np.float32)
        for c in problem.spec.cases
        for a in [case_inputs(c.args, c.seed)]
    }


def test_real_references_are_not_trivial(fixture_problem):
    assert trivial_answers_that_pass(fixture_problem, expected_for(fixture_problem)) == []


def test_all_zero_expected_output_is_flagged(fixture_problem):
    expected = expected_for(fixture_problem)
    expected["small"] = np.zeros(4, np.float32)
    assert trivial_answers_that_pass(fixture_problem, expected) == [
        "case small: an all-zeros answer passes"
    ]


def test_expected_equal_to_input_is_flagged(fixture_problem):
    expected = expected_for(fixture_problem)
    expected["small"] = np.array([1, 2, 3, 4], np.float32)  # the input itself
    assert trivial_answers_that_pass(fixture_problem, expected) == [
        "case small: returning the input x unchanged passes"
    ]


def test_messages_are_searched_everywhere_case_insensitively(fixture_problem):
    result = GradeResult(
        status="failed",
        score=0.5,
        summary="1 of 2 passed",
        cases=[
            CaseResult(name="a", hidden=False, status="failed", message="Output: Value MISMATCH")
        ],
        checks=[CheckResult(name="uses_scan", passed=False, message="contains no loop")],
        error=StudentError(type="TypeError", message="boom", hint="check the orientation"),
    )
    for needle in ("value mismatch", "NO LOOP", "orientation", "typeerror", "1 of 2"):
        assert result_mentions(result, needle), needle
    assert not result_mentions(result, "unrolled")
    [wrong] = [s for s in fixture_problem.solutions if s.path.name == "cumsum.py"]
    assert check_solution(result, wrong) is None
    mismatch = check_solution(result.model_copy(update={"status": "error"}), wrong)
    assert mismatch.startswith("expected status failed, got error")


def test_requirements_are_checked_against_what_is_installed() -> None:
    from importlib import metadata

    from grader.validate import requirement_met

    flax = metadata.version("flax")
    assert requirement_met("flax>=0.1") == (True, f"installed {flax}")
    assert requirement_met("flax<0.1") == (False, f"installed {flax}")
    assert requirement_met("no-such-package-xyz>=1") == (
        False,
        "no-such-package-xyz is not installed",
    )
