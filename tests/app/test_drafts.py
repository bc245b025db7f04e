"""Draft problems (`draft: true`) exist for instructors only, with a badge; for students
they do not exist at all (SQLite and Postgres)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.services.problems import sync_problems
from tests.app.conftest import Users
from tests.app.support import FIXTURE_PROBLEMS


def test_a_draft_is_for_instructors_only(
    app: FastAPI, client: TestClient, users: Users, tmp_path: Path
) -> None:
    problems = tmp_path / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, problems)
    md = problems / "running-max" / "problem.md"
    md.write_text(md.read_text().replace("\ntitle:", "\ndraft: true\ntitle:", 1))
    with app.state.sessionmaker() as s:
        sync_problems(session=s, problems_dir=problems)
        s.commit()
    kid = users.headers("kid")
    prof = users.headers("prof", role="instructor")
    body = {"problem": "running-max", "code": "x = 1", "mode": "run"}
    assert [p["slug"] for p in client.get("/api/problems", headers=kid).json()] == [
        "cumulative-sum"
    ]
    assert [p["slug"] for p in client.get("/api/problems").json()] == ["cumulative-sum"]
    assert client.get("/api/problems/running-max", headers=kid).status_code == 404
    assert client.post("/api/submissions", json=body, headers=kid).status_code == 404
    listed = {p["slug"]: p["draft"] for p in client.get("/api/problems", headers=prof).json()}
    assert listed == {"cumulative-sum": False, "running-max": True}
    assert client.get("/api/problems/running-max", headers=prof).status_code == 200
    assert client.post("/api/submissions", json=body, headers=prof).status_code == 202
    # Published again: everyone sees it.
    md.write_text(md.read_text().replace("\ndraft: true\n", "\n", 1))
    with app.state.sessionmaker() as s:
        sync_problems(session=s, problems_dir=problems)
        s.commit()
    assert client.get("/api/problems/running-max", headers=kid).status_code == 200
