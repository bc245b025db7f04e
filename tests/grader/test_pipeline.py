"""End to end on the fixture problem: real reference subprocess, real sandbox, real verdicts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grader.config import GraderSettings
from grader.grade import Grader
from grader.validate import check_solution, format_reports, validate_problems
from tests.golden.conftest import shared_data_dir

from .conftest import FIXTURE_PROBLEMS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    for data in shared_data_dir("jaxdojo-pipeline-"):
        g = Grader(GraderSettings(data_dir=data, problems_dir=FIXTURE_PROBLEMS))
        try:
            yield g
        finally:
            g.close()


def test_fixture_solutions_get_their_verdicts(grader: Grader):
    problem = grader.problem("running-total")
    for solution in problem.solutions:
        result = grader.grade("running-total", solution.path.read_text(), "submit")
        assert check_solution(result, solution) is None, (solution.path.name, result.summary)


def test_run_mode_details_and_hidden_privacy(grader: Grader):
    code = (
        "import jax.numpy as jnp\nfrom jax import lax\n\n"
        "def running_total(x, scale):\n"
        "    print('tracing', x.shape)\n"
        "    step = lambda c, v: (c + v, c * scale)\n"
        "    return lax.scan(step, jnp.zeros((), x.dtype), x)[1]\n"
    )
    run = grader.grade("running-total", code, "run")
    assert run.status == "failed"
    [case] = run.cases
    assert "exclusive scan" in case.message and case.divergence.first_bad_step == 0
    assert "tracing" in run.stdout
    submit = grader.grade("running-total", code, "submit")
    hidden = [c for c in submit.cases if c.hidden]
    assert hidden and all(c.message is None and c.got is None for c in hidden)
    assert "tracing" not in submit.stdout


def test_traced_int_error_keeps_line_and_hint(grader: Grader):
    code = (
        "import jax.numpy as jnp\n\n"
        "def running_total(x, scale):\n    n = int(x[0])\n    return x * n\n"
    )
    result = grader.grade("running-total", code, "run")
    assert result.status == "error"
    assert result.error is not None and result.error.line == 4
    assert "static" in (result.error.hint or "")


def test_validate_fixture_problem(grader: Grader):
    reports, errors = validate_problems(grader, ["running-total"])
    text = format_reports(reports, errors)
    assert not errors and reports[0].ok, text


def test_warm_up_fills_reference_and_compilation_caches(tmp_path) -> None:
    settings = GraderSettings(data_dir=tmp_path / "data", problems_dir=FIXTURE_PROBLEMS)
    with Grader(settings) as g:
        g.warm_up()
        refs = list(settings.reference_cache_dir.rglob("*"))
        assert any(p.is_file() for p in refs), "warm-up computed no reference outputs"
        assert any(settings.compilation_cache_dir.iterdir()), "no compiled programs cached"
        computed = g.references.computed
        # Everything is cached now: grading computes no reference output again.
        result = g.grade(
            "running-total",
            (FIXTURE_PROBLEMS / "running-total" / "reference.py").read_text(),
            "submit",
        )
        assert result.status == "passed", result.summary
        assert g.references.computed == computed
