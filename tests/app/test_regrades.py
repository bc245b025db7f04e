"""Regrades through the queue after a problem changes (SQLite and Postgres): the earlier
result is kept beside the new one, students' live work is claimed first, every regrade
is graded once, and regrades never count as a student's own submits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.core.config import Settings
from app.models import Attempt
from app.queue import claims as q
from app.queue.worker import Worker
from app.services.problems import sync_problems
from grader.config import GraderSettings
from tests.app.conftest import Users
from tests.app.support import FIXTURE_PROBLEMS
from tests.reliability.fake_grader import make as fake_grader

SLUG = "running-max"


def _submit(client: TestClient, h: dict[str, str], code: str) -> dict[str, Any]:
    r = client.post(
        "/api/submissions", json={"problem": SLUG, "code": code, "mode": "submit"}, headers=h
    )
    assert r.status_code == 202, r.text
    return r.json()


def _settings(factory: Any, problems: Path) -> Settings:
    return factory(grader=GraderSettings(data_dir=problems.parent / "data", problems_dir=problems))


def test_regrade_keeps_both_results_and_waits_behind_live_work(
    app: FastAPI,
    client: TestClient,
    users: Users,
    settings_factory: Any,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    problems = tmp_path / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, problems)
    log = tmp_path / "grades.jsonl"
    monkeypatch.setenv("JAXDOJO_FAKE_GRADER_LOG", str(log))
    prof = users.headers("prof", role="instructor")
    ada, bob = users.headers("ada"), users.headers("bob")
    passed = _submit(client, ada, "# tag: a1\n# status: passed\n")
    failed = _submit(client, bob, "# tag: b1\n# status: failed\n")

    def work() -> None:
        settings = _settings(settings_factory, problems)
        Worker(settings=settings, engine=app.state.engine, grader_factory=fake_grader).run(
            burst=True
        )

    work()
    # The problem is fixed (its statement here) and synced; then a regrade of everything.
    md = problems / SLUG / "problem.md"
    md.write_text(md.read_text().replace("Return the running maximum", "Compute the maximum"))
    with app.state.sessionmaker() as s:
        sync_problems(session=s, problems_dir=problems)
        s.commit()
    r = client.post(
        "/api/instructor/regrades", json={"problem": SLUG, "scope": "all"}, headers=prof
    )
    assert r.status_code == 202, r.text
    batch = r.json()
    assert (batch["total"], batch["pending"], batch["scope"]) == (2, 2, "all")
    # Now ada submits live work: it is claimed before either regrade.
    live = _submit(client, ada, "# tag: a2\n# status: passed\n")
    first = q.claim_next_attempt(
        engine=app.state.engine, worker_id="probe", lease_s=30, max_tries=3
    )
    assert first is not None and first.attempt_id == live["id"]
    q.complete_attempt(
        engine=app.state.engine,
        claim=first,
        result=fake_grader(None).grade(SLUG, "# tag: probe\n# status: passed\n", "submit"),
    )
    # The regraded code now fails where it passed (the fake grader reads the directive).
    with app.state.sessionmaker() as s:
        for a in s.scalars(select(Attempt).where(Attempt.regrade_of.is_not(None))):
            a.code = a.code.replace("status: passed", "status: failed")
        s.commit()
    work()
    report = client.get(f"/api/instructor/regrades/{batch['id']}", headers=prof).json()
    assert report["pending"] == 0 and report["unchanged"] == 1
    assert report["changed"] == [{"was": "passed", "now": "failed", "count": 1}]
    with app.state.sessionmaker() as s:  # the earlier results are untouched
        original = s.get(Attempt, passed["id"])
        assert original is not None and original.status == "passed"
        regrades = s.scalars(select(Attempt).where(Attempt.regrade_of == passed["id"])).all()
        assert [a.status for a in regrades] == ["failed"]
        assert regrades[0].problem_version.content_hash != original.problem_version.content_hash
    # Every regrade graded once: the log has one start per tag and grade.
    events = [json.loads(line) for line in log.read_text().splitlines()]
    starts = sorted(e["tag"] for e in events if e["event"] == "start")
    assert starts == ["a1", "a1", "b1", "b1", "probe"]  # a2's verdict came from the probe
    # A student's progress and submit counts are their own submits only.
    mine = {p["slug"]: p for p in client.get("/api/problems", headers=ada).json()}
    assert mine[SLUG]["state"] == "solved" and mine[SLUG]["attempts"] == 2
    listed = client.get("/api/submissions", headers=bob).json()
    assert [s["id"] for s in listed] == [failed["id"]]


def test_students_cannot_regrade(client: TestClient, users: Users) -> None:
    h = users.headers("kid")
    r = client.post("/api/instructor/regrades", json={"problem": SLUG, "scope": "all"}, headers=h)
    assert r.status_code == 404


def test_unknown_problem_or_scope_is_refused(client: TestClient, users: Users) -> None:
    prof = users.headers("prof2", role="instructor")
    r = client.post(
        "/api/instructor/regrades", json={"problem": "nope", "scope": "all"}, headers=prof
    )
    assert r.status_code == 404
    r = client.post(
        "/api/instructor/regrades", json={"problem": SLUG, "scope": "most"}, headers=prof
    )
    assert r.status_code == 422
