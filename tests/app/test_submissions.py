"""The submission contract: register -> token -> submit (202) -> worker -> poll."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.queue.worker import Worker
from tests.app.conftest import Users
from tests.reliability.fake_grader import make as fake_grader


def run_worker(settings: Settings, app: FastAPI, **kw: object) -> int:
    worker = Worker(settings=settings, engine=app.state.engine, grader_factory=fake_grader)
    return worker.run(burst=True, **kw)  # type: ignore[arg-type]


def test_register_token_submit_poll(client: TestClient, app: FastAPI, settings: Settings) -> None:
    r = client.post("/api/auth/register", json={"username": "Ada", "password": "a long passphrase"})
    assert r.status_code == 201, r.text
    assert r.json()["username"] == "ada"
    assert r.json()["role"] == "student"
    r = client.post("/api/auth/token", data={"username": "ada", "password": "a long passphrase"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {body['access_token']}"}

    r = client.post(
        "/api/submissions",
        json={"problem": "cumulative-sum", "code": "# status: failed\n", "mode": "submit"},
        headers=headers,
    )
    assert r.status_code == 202, r.text
    sub = r.json()
    assert sub["status"] == "queued" and sub["problem"] == "cumulative-sum"
    assert sub["mode"] == "submit" and sub["result"] is None

    r = client.get(f"/api/submissions/{sub['id']}", headers=headers)
    assert r.json()["status"] == "queued"
    assert r.json()["code"] == "# status: failed\n"

    assert run_worker(settings, app) == 1
    r = client.get(f"/api/submissions/{sub['id']}", headers=headers)
    got = r.json()
    assert got["status"] == "failed"
    assert got["result"]["schema"] == 1
    assert got["result"]["status"] == "failed"
    assert got["score"] == 0.0
    assert got["finished_at"] is not None

    # progress shows up in the problem list
    r = client.get("/api/problems", headers=headers)
    states = {p["slug"]: p["state"] for p in r.json()}
    assert states == {"cumulative-sum": "attempted", "running-max": "new"}


def test_register_errors(client: TestClient) -> None:
    ok = {"username": "bob", "password": "a long passphrase"}
    assert client.post("/api/auth/register", json=ok).status_code == 201
    r = client.post("/api/auth/register", json={**ok, "username": "BOB"})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    for bad in ("x", "has space", "a" * 40, "-dash", "ünï"):
        r = client.post("/api/auth/register", json={**ok, "username": bad})
        assert r.status_code == 422, bad
        assert set(r.json()) >= {"detail", "code"}
    r = client.post("/api/auth/register", json={"username": "carol", "password": "short"})
    assert r.status_code == 422 and "at least 8" in r.json()["detail"]
    r = client.post("/api/auth/register", json={"username": "carol", "password": "x" * 64 + "y"})
    assert r.status_code == 201  # 64+ character passwords work
    r = client.post("/api/auth/register", json={"username": "dave"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"


def test_run_mode_and_unknown_problem(client: TestClient, users: Users) -> None:
    h = users.headers("eve")
    r = client.post(
        "/api/submissions",
        json={"problem": "cumulative-sum", "code": "x=1", "mode": "run"},
        headers=h,
    )
    assert r.status_code == 202 and r.json()["mode"] == "run"
    r = client.post(
        "/api/submissions", json={"problem": "nope", "code": "x=1", "mode": "run"}, headers=h
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.post(
        "/api/submissions",
        json={"problem": "cumulative-sum", "code": "x", "mode": "debug"},
        headers=h,
    )
    assert r.status_code == 422


def test_platform_failures_retry_then_system_error(
    client: TestClient, app: FastAPI, settings: Settings, users: Users
) -> None:
    h = users.headers("fay")
    code = "# raise: platform\n"
    sid = client.post(
        "/api/submissions", json={"problem": "cumulative-sum", "code": code}, headers=h
    ).json()["id"]
    assert run_worker(settings, app) == 3  # three tries, then give up
    got = client.get(f"/api/submissions/{sid}", headers=h).json()
    assert got["status"] == "system_error"
    assert "resubmit" in got["result"]["summary"]


def test_student_failures_are_not_retried(
    client: TestClient, app: FastAPI, settings: Settings, users: Users
) -> None:
    h = users.headers("gus")
    sid = client.post(
        "/api/submissions",
        json={"problem": "cumulative-sum", "code": "# status: timeout\n"},
        headers=h,
    ).json()["id"]
    assert run_worker(settings, app) == 1
    assert client.get(f"/api/submissions/{sid}", headers=h).json()["status"] == "timeout"


def test_others_cannot_see_attempts(client: TestClient, users: Users) -> None:
    a = users.headers("alice")
    b = users.headers("bobby")
    t = users.headers("teach", role="instructor")
    sid = client.post(
        "/api/submissions", json={"problem": "cumulative-sum", "code": "secret = 1"}, headers=a
    ).json()["id"]
    assert client.get(f"/api/submissions/{sid}", headers=b).status_code == 404
    assert client.get(f"/api/submissions/{sid + 1}", headers=b).status_code == 404
    assert client.get("/api/submissions", headers=b).json() == []
    assert client.get(f"/api/submissions/{sid}", headers=t).json()["code"] == "secret = 1"
    assert client.get(f"/api/submissions/{sid}").status_code == 401
    mine = client.get("/api/submissions?problem=cumulative-sum", headers=a).json()
    assert [m["id"] for m in mine] == [sid]
