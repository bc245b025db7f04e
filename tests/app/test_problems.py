"""Problems: sync with versions, the public views (no hidden cases, no reference), hints,
solutions, instructor views and API tokens."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.core.config import Settings
from app.models import HintReveal, ProblemVersion, SolutionReveal
from app.queue.worker import Worker
from app.services.problems import sync_problems
from tests.app.conftest import Users
from tests.app.support import FIXTURE_PROBLEMS
from tests.reliability.fake_grader import make as fake_grader


def test_problem_views_hide_hidden_cases_and_reference(client: TestClient) -> None:
    listing = client.get("/api/problems").json()
    assert [p["slug"] for p in listing] == ["cumulative-sum", "running-max"]
    assert listing[0]["state"] is None
    p = client.get("/api/problems/cumulative-sum").json()
    assert p["entry_point"] == "cumulative_sum"
    assert p["hints_count"] == 2 and p["hints_revealed"] == []
    assert [e["name"] for e in p["examples"]] == ["small"]  # visible cases only
    assert p["examples"][0]["args"]["x"]["shape"] == [5]
    text = str(p)
    assert "long" not in [e["name"] for e in p["examples"]]
    assert "carry = carry + xi" not in text  # the reference never appears
    assert "NotImplementedError" in p["starter"]


def test_hints_are_revealed_one_at_a_time(app: FastAPI, client: TestClient, users: Users) -> None:
    h = users.headers("hinty")
    r = client.post("/api/problems/cumulative-sum/hints", headers=h)
    assert r.json() == {"hints": ["The carry is the sum so far."], "remaining": 1}
    r = client.post("/api/problems/cumulative-sum/hints", headers=h)
    assert r.json()["remaining"] == 0 and len(r.json()["hints"]) == 2
    r = client.post("/api/problems/cumulative-sum/hints", headers=h)
    assert r.status_code == 404
    assert len(client.get("/api/problems/cumulative-sum", headers=h).json()["hints_revealed"]) == 2
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(HintReveal)) == 2


def test_solution_unlocks_after_submits_or_giving_up(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    a = users.headers("persist")
    b = users.headers("quitter")
    assert client.post("/api/problems/cumulative-sum/solution", headers=a).status_code == 403
    for _ in range(2):  # solution_after_attempts: 2
        client.post(
            "/api/submissions", json={"problem": "cumulative-sum", "code": "x=1"}, headers=a
        )
    r = client.post("/api/problems/cumulative-sum/solution", headers=a)
    assert r.status_code == 200 and r.json()["reason"] == "attempts"
    assert "lax.scan" in r.json()["code"]
    # run-mode attempts do not count; giving up does
    assert (
        client.get("/api/problems/cumulative-sum", headers=b).json()["solution_available"] is False
    )
    r = client.post("/api/problems/cumulative-sum/give-up", headers=b)
    assert r.status_code == 200 and r.json()["reason"] == "gave_up"
    assert client.get("/api/problems/cumulative-sum", headers=b).json()["solution_available"]
    with app.state.sessionmaker() as s:
        reasons = sorted(s.scalars(select(SolutionReveal.reason)))
    assert reasons == ["attempts", "gave_up"]


def test_solved_state_and_instructor_progress(
    app: FastAPI, client: TestClient, settings: Settings, users: Users
) -> None:
    a = users.headers("solver")
    b = users.headers("tryer")
    t = users.headers("prof", role="instructor")
    client.post("/api/submissions", json={"problem": "cumulative-sum", "code": "ok"}, headers=a)
    client.post(
        "/api/submissions",
        json={"problem": "cumulative-sum", "code": "# status: failed\n"},
        headers=b,
    )
    Worker(settings=settings, engine=app.state.engine, grader_factory=fake_grader).run(burst=True)
    states = {p["slug"]: p["state"] for p in client.get("/api/problems", headers=a).json()}
    assert states["cumulative-sum"] == "solved"
    assert client.post("/api/problems/cumulative-sum/solution", headers=a).json()["reason"] == (
        "solved"
    )
    progress = {p["problem"]: p for p in client.get("/api/instructor/progress", headers=t).json()}
    assert progress["cumulative-sum"]["attempted"] == 2
    assert progress["cumulative-sum"]["solved"] == 1
    assert progress["running-max"]["attempted"] == 0
    recent = client.get("/api/instructor/attempts", headers=t).json()
    assert {r["username"] for r in recent} == {"solver", "tryer"}
    assert client.get("/api/instructor/progress", headers=a).status_code == 404


def test_sync_keeps_versions(
    app: FastAPI, tmp_path: Path, client: TestClient, users: Users
) -> None:
    h = users.headers("versioned")
    first = client.post(
        "/api/submissions", json={"problem": "running-max", "code": "x"}, headers=h
    ).json()
    problems = tmp_path / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, problems)
    md = problems / "running-max" / "problem.md"
    md.write_text(md.read_text().replace("Return the running maximum", "Compute the maximum"))
    shutil.rmtree(problems / "cumulative-sum")
    with app.state.sessionmaker() as s:
        report = sync_problems(session=s, problems_dir=problems)
        s.commit()
        assert report.updated == ["running-max"] and report.deactivated == ["cumulative-sum"]
        assert s.scalar(select(func.count()).select_from(ProblemVersion)) == 3
    assert [p["slug"] for p in client.get("/api/problems").json()] == ["running-max"]
    second = client.post(
        "/api/submissions", json={"problem": "running-max", "code": "x"}, headers=h
    ).json()
    assert first["problem_version"] != second["problem_version"]
    old = client.get(f"/api/submissions/{first['id']}", headers=h).json()
    assert old["problem_version"] == first["problem_version"]


def test_api_tokens_created_listed_revoked(client: TestClient, users: Users) -> None:
    h = users.headers("tokens")
    r = client.post("/api/account/tokens", json={"name": "laptop"}, headers=h)
    assert r.status_code == 201
    new = r.json()
    assert new["token"].startswith(new["prefix"])
    listed = client.get("/api/account/tokens", headers=h).json()
    assert "laptop" in [t["name"] for t in listed]
    assert all("token" not in t for t in listed)
    mine = {"Authorization": f"Bearer {new['token']}"}
    assert client.get("/api/auth/me", headers=mine).status_code == 200
    assert client.delete(f"/api/account/tokens/{new['id']}", headers=h).status_code == 204
    assert client.get("/api/auth/me", headers=mine).status_code == 401
    other = users.headers("thief")
    tid = client.post("/api/account/tokens", json={}, headers=h).json()["id"]
    assert client.delete(f"/api/account/tokens/{tid}", headers=other).status_code == 404


def test_admin_sets_roles(client: TestClient, users: Users) -> None:
    admin = users.headers("boss", role="admin")
    users.create("promoted")
    r = client.put("/api/admin/users/promoted/role", json={"role": "instructor"}, headers=admin)
    assert r.status_code == 200 and r.json()["role"] == "instructor"
    r = client.put("/api/admin/users/nobody/role", json={"role": "instructor"}, headers=admin)
    assert r.status_code == 404
