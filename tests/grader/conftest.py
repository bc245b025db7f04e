from __future__ import annotations

from pathlib import Path

import pytest

from grader.config import GraderSettings
from grader.spec import Problem, load_problems

FIXTURE_PROBLEMS = Path(__file__).parent / "fixtures" / "problems"


@pytest.fixture
def settings(tmp_path: Path) -> GraderSettings:
    return GraderSettings(data_dir=tmp_path / "data", problems_dir=FIXTURE_PROBLEMS)


@pytest.fixture(scope="session")
def fixture_problem() -> Problem:
    problems, errors = load_problems(FIXTURE_PROBLEMS)
    assert not errors, errors
    return problems["running-total"]
