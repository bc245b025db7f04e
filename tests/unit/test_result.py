"""The result document: schema 1, hidden cases carry no details, scores are fractions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from grader.result import CaseResult, CheckResult, GradeResult, compute_score


def test_json_uses_schema_key_and_round_trips() -> None:
    result = GradeResult(
        status="failed",
        score=0.5,
        cases=[CaseResult.hidden_case("h1", "failed")],
        checks=[CheckResult(name="uses_scan", passed=True, message="ok")],
    )
    doc = result.to_json_dict()
    assert doc["schema"] == 1
    assert set(doc) >= {"schema", "status", "score", "cases", "checks", "stdout", "timings"}
    assert doc["cases"][0] == {
        "name": "h1",
        "hidden": True,
        "status": "failed",
        "message": None,
        "inputs": None,
        "expected": None,
        "got": None,
        "divergence": None,
        "time_ms": None,
    }
    assert GradeResult.model_validate(doc) == result


def test_score_bounds_and_status_values() -> None:
    with pytest.raises(ValidationError):
        GradeResult(status="failed", score=1.5)
    with pytest.raises(ValidationError):
        GradeResult(status="accepted", score=1.0)  # type: ignore[arg-type]


def test_compute_score() -> None:
    cases = [CaseResult.hidden_case("a", "passed"), CaseResult.hidden_case("b", "failed")]
    checks = [CheckResult(name="c", passed=True, message="")]
    assert compute_score(cases, checks) == pytest.approx(2 / 3, abs=1e-4)
    assert compute_score([], []) == 0.0
