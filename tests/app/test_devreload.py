"""`jaxdojo serve --dev`: an edited problem folder is synced once it holds still, a bad
edit is reported without hiding the others, and an unchanged tree costs nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.devreload import ProblemWatcher
from app.models import Problem
from grader.config import GraderSettings
from tests.app.support import FIXTURE_PROBLEMS, prepare


def test_an_edit_is_synced_once_it_settles(settings_factory: Any, tmp_path: Path) -> None:
    problems = tmp_path / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, problems)
    settings = settings_factory(
        grader=GraderSettings(data_dir=tmp_path / "data", problems_dir=problems)
    )
    prepare(settings)
    watcher = ProblemWatcher(settings)
    try:
        assert watcher.poll() is None  # nothing changed
        md = problems / "running-max" / "problem.md"
        md.write_text(md.read_text().replace("title: Running maximum", "title: Running max"))
        assert watcher.poll() is None  # changed: wait one poll for it to settle
        report = watcher.poll()
        assert report is not None and report.updated == ["running-max"]
        with watcher.sessionmaker() as s:
            title = s.scalar(select(Problem.title).where(Problem.slug == "running-max"))
        assert title == "Running max"
        assert watcher.poll() is None
        # A broken edit: reported, the problem hidden, the others untouched.
        md.write_text("---\ntitle: [\n---\n")
        watcher.poll()
        report = watcher.poll()
        assert report is not None and report.deactivated == ["running-max"]
        assert [e.slug for e in report.errors] == ["running-max"]
        assert report.unchanged == ["cumulative-sum"]
    finally:
        watcher.stop()
