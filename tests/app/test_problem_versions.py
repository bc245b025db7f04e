"""Problem versions carried end to end: an attempt is graded against the version it was
queued on, or ends saying the problem changed; a host with an older folder than the
database's is stale and retries; nothing rewrites an attempt's version afterwards
(SQLite and Postgres)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.core.config import Settings
from app.models import Attempt, Problem, ProblemVersion
from app.queue.worker import PROBLEM_CHANGED, Worker
from grader.config import GraderSettings
from grader.spec import content_hash
from tests.app.conftest import Users
from tests.app.support import FIXTURE_PROBLEMS
from tests.reliability.fake_grader import make as fake_grader

SLUG = "running-max"


def _worker(app: FastAPI, factory: Callable[..., Settings], problems: Path) -> Worker:
    settings = factory(
        grader=GraderSettings(data_dir=problems.parent / "data", problems_dir=problems)
    )
    return Worker(settings=settings, engine=app.state.engine, grader_factory=fake_grader)


def _edit(problems: Path) -> None:
    md = problems / SLUG / "problem.md"
    md.write_text(md.read_text().replace("Return the running maximum", "Compute the maximum"))


def _attempt(app: FastAPI, attempt_id: int) -> tuple[str, str, dict[str, Any] | None, int]:
    with app.state.sessionmaker() as s:
        a = s.get(Attempt, attempt_id)
        assert a is not None
        return a.status, a.problem_version.content_hash, a.result, a.tries


def test_an_attempt_for_an_old_version_ends_asking_to_resubmit(
    app: FastAPI, client: TestClient, users: Users, settings_factory: Any, tmp_path: Path
) -> None:
    problems = tmp_path / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, problems)
    v1 = content_hash(problems / SLUG)
    h = users.headers("ver")
    body = {"problem": SLUG, "code": "x = 1", "mode": "submit"}
    first = client.post("/api/submissions", json=body, headers=h).json()
    assert first["problem_version"] == v1
    _edit(problems)  # edited on disk after the submit, not synced yet
    v2 = content_hash(problems / SLUG)
    _worker(app, settings_factory, problems).run(burst=True)
    status, version, result, _ = _attempt(app, first["id"])
    assert status == "system_error" and version == v1  # its version is never rewritten
    assert result is not None and result["summary"] == PROBLEM_CHANGED
    with app.state.sessionmaker() as s:  # the worker synced the newer folder in
        problem = s.scalar(select(Problem).where(Problem.slug == SLUG))
        assert problem is not None and problem.current_hash == v2
    second = client.post("/api/submissions", json=body, headers=h).json()
    assert second["problem_version"] == v2
    _worker(app, settings_factory, problems).run(burst=True)
    status, version, _, _ = _attempt(app, second["id"])
    assert (status, version) == ("passed", v2)
    shown = client.get(f"/api/submissions/{first['id']}", headers=h).json()
    assert shown["problem_version"] == v1 and shown["status"] == "system_error"


def test_a_host_with_an_older_folder_is_stale_and_retries(
    app: FastAPI, client: TestClient, users: Users, settings_factory: Any, tmp_path: Path
) -> None:
    new, old = tmp_path / "new" / "problems", tmp_path / "old" / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, new)
    shutil.copytree(FIXTURE_PROBLEMS, old)
    _edit(new)
    from app.services.problems import sync_problems

    with app.state.sessionmaker() as s:
        sync_problems(session=s, problems_dir=new)  # the database is at the new version
        s.commit()
        assert s.scalar(
            select(ProblemVersion).where(ProblemVersion.content_hash == content_hash(old / SLUG))
        )
    h = users.headers("ver2")
    sub = client.post(
        "/api/submissions", json={"problem": SLUG, "code": "x = 1", "mode": "submit"}, headers=h
    ).json()
    assert sub["problem_version"] == content_hash(new / SLUG)
    _worker(app, settings_factory, old).run(burst=True, max_jobs=1)
    status, _, _, tries = _attempt(app, sub["id"])
    assert (status, tries) == ("queued", 1)  # a platform fault: back in the queue
    with app.state.sessionmaker() as s:  # and the stale host changed nothing
        problem = s.scalar(select(Problem).where(Problem.slug == SLUG))
        assert problem is not None and problem.current_hash == content_hash(new / SLUG)
    _worker(app, settings_factory, new).run(burst=True)
    assert _attempt(app, sub["id"])[0] == "passed"
