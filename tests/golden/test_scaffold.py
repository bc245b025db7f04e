"""`jaxdojo problems new` writes a folder that validates at once, through the REAL sandbox."""

from __future__ import annotations

import pytest

from grader.grade import Grader

pytestmark = pytest.mark.slow


def test_a_scaffolded_problem_validates_at_once(tmp_path) -> None:
    """`jaxdojo problems new` writes a folder that passes validate through the real
    sandbox, mutants included."""
    import os

    from grader.config import GraderSettings
    from grader.scaffold import scaffold
    from grader.validate import validate_problems

    root = tmp_path / "problems"
    root.mkdir()
    scaffold(root, "running-product")
    os.chmod(tmp_path, 0o755)  # the sandbox's children traverse the data dir
    settings = GraderSettings(data_dir=tmp_path / "data", problems_dir=root)
    with Grader(settings) as grader:
        reports, errors = validate_problems(grader, ["running-product"], mutation=True)
    assert errors == []
    [report] = reports
    assert report.ok, report
