"""Cancel: an owner ends a queued or running attempt; it is never graded afterwards, and a
worker running it kills the run at once (woken by the cancel, not at its next heartbeat)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.queue import claims as q
from app.queue.wakeup import wake_dir
from app.queue.worker import Worker
from grader.result import GradeResult
from tests.app.conftest import Users
from tests.app.test_queue import _row, _submit
from tests.reliability.fake_grader import make as fake_grader


def test_cancel_a_queued_attempt(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("canceller")
    aid = _submit(client, h)
    r = client.post(f"/api/submissions/{aid}/cancel", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["result"] is None
    row = _row(app, aid)
    assert row.status == "cancelled" and row.finished_at is not None
    # Never claimed, never graded.
    engine = app.state.engine
    assert q.claim_next_attempt(engine=engine, worker_id="W", lease_s=30, max_tries=3) is None
    assert client.get(f"/api/submissions/{aid}", headers=h).json()["status"] == "cancelled"
    # Once ended there is nothing to cancel; it does not count against the per-user cap.
    again = client.post(f"/api/submissions/{aid}/cancel", headers=h)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert "nothing to cancel" in again.json()["detail"]


def test_cancel_is_the_owners_alone(client: TestClient, app: FastAPI, users: Users) -> None:
    owner = users.headers("owner1")
    aid = _submit(client, owner)
    for other in (users.headers("stranger"), users.headers("teacher", role="instructor")):
        r = client.post(f"/api/submissions/{aid}/cancel", headers=other)
        assert r.status_code == 404, r.text
    assert client.post("/api/submissions/999999/cancel", headers=owner).status_code == 404
    assert client.post(f"/api/submissions/{aid}/cancel").status_code == 401
    assert _row(app, aid).status == "queued"


def test_a_verdict_cannot_be_cancelled(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("finisher")
    aid = _submit(client, h)
    engine = app.state.engine
    claim = q.claim_next_attempt(engine=engine, worker_id="W", lease_s=30, max_tries=3)
    assert claim is not None
    passed = GradeResult(status="passed", score=1.0, summary="ok")
    assert q.complete_attempt(engine=engine, claim=claim, result=passed)
    assert client.post(f"/api/submissions/{aid}/cancel", headers=h).status_code == 409
    assert _row(app, aid).status == "passed"


def test_a_cancelled_running_attempt_is_fenced_off(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    """The worker's late verdict changes nothing; its heartbeat reports the claim lost."""
    h = users.headers("racer")
    aid = _submit(client, h)
    engine = app.state.engine
    claim = q.claim_next_attempt(engine=engine, worker_id="W", lease_s=30, max_tries=3)
    assert claim is not None and claim.attempt_id == aid
    assert client.post(f"/api/submissions/{aid}/cancel", headers=h).status_code == 200
    assert q.lost_claims(engine=engine, claims=[claim]) == [claim]
    assert q.renew_leases(engine=engine, claims=[claim], lease_s=30) == [claim]
    late = GradeResult(status="passed", score=1.0, summary="too late")
    assert q.complete_attempt(engine=engine, claim=claim, result=late) is False
    assert q.fail_attempt(engine=engine, claim=claim, error="x", max_tries=3) is None
    row = _row(app, aid)
    assert row.status == "cancelled" and row.result is None


def test_cancel_kills_a_running_grade_at_once(
    client: TestClient,
    app: FastAPI,
    users: Users,
    settings_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Heartbeat and poll are 30 s: only the cancel's wake-up can stop the 60 s "grade" in
    time, and the slot is free for the next attempt right after."""
    log = tmp_path / "fake.log"
    monkeypatch.setenv("JAXDOJO_FAKE_GRADER_LOG", str(log))
    slow = settings_factory(poll_s=30.0, heartbeat_s=30.0)
    worker = Worker(settings=slow, engine=app.state.engine, grader_factory=fake_grader)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    h = users.headers("looper")
    try:
        deadline = time.monotonic() + 10
        while not list(wake_dir(slow.data_dir).glob("*.sock")):
            assert time.monotonic() < deadline, "the worker never bound its wake-up socket"
            time.sleep(0.05)
        aid = _submit(client, h, "# tag: forever\n# sleep: 60\n")
        while _row(app, aid).status != "running":
            assert time.monotonic() < deadline, "never claimed"
            time.sleep(0.02)
        started = time.monotonic()
        assert client.post(f"/api/submissions/{aid}/cancel", headers=h).status_code == 200
        while "cancelled" not in log.read_text():
            assert time.monotonic() - started < 2, "the running grade was not killed"
            time.sleep(0.02)
        nxt = _submit(client, h, "# tag: next\n")
        while _row(app, nxt).status in ("queued", "running"):
            assert time.monotonic() - started < 5, "the slot stayed busy after the cancel"
            time.sleep(0.02)
        assert _row(app, nxt).status == "passed"
        assert _row(app, aid).status == "cancelled"
    finally:
        worker.stopping.set()
        worker._wake.set()
        thread.join(timeout=10)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["event"] for e in events if e["tag"] == "forever"] == ["start", "cancelled"]


def test_event_stream_ends_with_the_cancellation(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    h = users.headers("streamer")
    aid = _submit(client, h)
    assert client.post(f"/api/submissions/{aid}/cancel", headers=h).status_code == 200
    with client.stream("GET", f"/api/submissions/{aid}/events", headers=h) as r:
        body = "".join(r.iter_text())
    assert "event: result" in body and '"status": "cancelled"' in body
