"""Golden tests: every known solution of every problem through the REAL sandbox.

Each file under ``problems/<slug>/solutions/`` states the verdict it must get
(``correct/`` must pass; ``wrong/`` files carry ``# expect-status:`` and
``# expect-message:`` headers). The reference solution must pass its own cases.
"""

from __future__ import annotations

import pytest

from grader.grade import Grader
from grader.spec import load_problems
from grader.validate import check_solution, run_mutants, trivial_answers_that_pass

from .conftest import PROBLEMS_DIR

pytestmark = pytest.mark.slow

PROBLEMS, LOAD_ERRORS = load_problems(PROBLEMS_DIR)
SOLUTIONS = [
    pytest.param(slug, solution, id=f"{slug}/{solution.kind}/{solution.path.stem}")
    for slug, problem in PROBLEMS.items()
    for solution in problem.solutions
]


def test_every_problem_folder_loads():
    assert LOAD_ERRORS == []


@pytest.mark.parametrize("slug", list(PROBLEMS))
def test_reference_passes_its_own_cases(real_grader: Grader, slug: str):
    problem = PROBLEMS[slug]
    result = real_grader.grade(slug, problem.reference_path.read_text("utf-8"), "submit")
    assert result.status == "passed", result.summary
    assert result.score == 1.0


@pytest.mark.parametrize("slug", list(PROBLEMS))
def test_trivial_answers_fail_every_case(real_grader: Grader, slug: str):
    problem = PROBLEMS[slug]
    expected = real_grader.references.get(problem, problem.spec.cases)
    assert trivial_answers_that_pass(problem, expected) == []


@pytest.mark.parametrize(("slug", "solution"), SOLUTIONS)
def test_solution_gets_its_expected_verdict(real_grader: Grader, slug, solution):
    code = solution.path.read_text("utf-8")
    result = real_grader.grade(slug, code, "submit")
    problem = check_solution(result, solution)
    assert problem is None, problem


@pytest.mark.parametrize("slug", list(PROBLEMS))
def test_no_mutant_of_the_reference_survives(real_grader: Grader, slug: str):
    """Each classic mistake made to the reference (grader.mutants) fails some case or
    check, unless the problem marks that mutant equivalent with a reason."""
    problem = PROBLEMS[slug]
    report = run_mutants(real_grader, problem, problem.reference_path.read_text("utf-8"))
    assert report.generated, "the reference offers no mutation site"
    surviving = [f"{m.id}: {m.description} (line {m.line})" for m in report.surviving]
    assert surviving == [], f"mutants that pass every case: {surviving}"
    assert report.stale == [], f"mutants.equivalent names no mutant: {report.stale}"
    assert report.faults == []
