"""The queue protocol step by step (claims, leases, fencing, retries), on both databases."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.core.config import Settings
from app.core.db import utcnow
from app.models import Attempt
from app.queue import claims as q
from app.queue.worker import Worker
from grader.result import GradeResult
from tests.app.conftest import Users
from tests.reliability.fake_grader import make as fake_grader

PASSED = GradeResult(status="passed", score=1.0, summary="ok")


def _submit(client: TestClient, h: dict[str, str], code: str = "x = 1") -> int:
    r = client.post("/api/submissions", json={"problem": "cumulative-sum", "code": code}, headers=h)
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


def _row(app: FastAPI, aid: int) -> Attempt:
    with app.state.sessionmaker() as s:
        a = s.get(Attempt, aid)
        assert a is not None
        return a


def test_claim_order_fencing_and_expiry(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("queue1")
    first, second = _submit(client, h), _submit(client, h)
    engine = app.state.engine

    def claim(worker: str, lease_s: float = 30, now: datetime | None = None) -> q.Claim | None:
        return q.claim_next_attempt(
            engine=engine, worker_id=worker, lease_s=lease_s, max_tries=3, now=now
        )

    t0 = utcnow()
    a, b = claim("A", now=t0), claim("B", lease_s=300, now=t0)
    assert a is not None and b is not None
    assert (a.attempt_id, b.attempt_id) == (first, second)  # oldest first, never the same
    assert claim("C") is None
    assert _row(app, first).status == "running" and _row(app, first).worker_id == "A"

    # A sends no heartbeat. At the instant its lease ends A still holds it (claimable only
    # once ``lease_expires_at < now``); a microsecond later it is taken over.
    expiry = t0 + timedelta(seconds=30)
    assert claim("C", now=expiry) is None
    later = expiry + timedelta(microseconds=1)
    c = claim("C", now=later)
    assert c is not None and c.attempt_id == first and c.tries == 2 and c.token > a.token
    assert claim("D", now=later) is None  # B's longer lease still runs
    assert q.renew_leases(engine=engine, claims=[a, c], lease_s=30) == [a]  # A is fenced off
    assert q.complete_attempt(engine=engine, claim=a, result=PASSED) is False
    assert _row(app, first).status == "running"
    assert q.complete_attempt(engine=engine, claim=c, result=PASSED) is True
    assert _row(app, first).status == "passed"
    assert q.complete_attempt(engine=engine, claim=c, result=PASSED) is False  # written once


def test_exhausted_leases_become_system_error(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    h = users.headers("queue2")
    aid = _submit(client, h)
    engine = app.state.engine
    now = utcnow()
    for _ in range(2):
        assert q.claim_next_attempt(engine=engine, worker_id="W", lease_s=30, max_tries=2, now=now)
        now += timedelta(seconds=31)  # the lease runs out without a heartbeat
    again = q.claim_next_attempt(engine=engine, worker_id="W", lease_s=30, max_tries=2, now=now)
    assert again is None  # expired, but its tries are used up
    assert q.expire_exhausted(engine=engine, max_tries=2) == 0  # on the real clock it runs
    assert _row(app, aid).status == "running"
    assert q.expire_exhausted(engine=engine, max_tries=2, now=now) == 1
    row = _row(app, aid)
    assert row.status == "system_error" and row.result is not None
    assert "resubmit" in row.result["summary"].lower()


def test_an_injected_time_must_be_naive_utc(app: FastAPI) -> None:
    aware = datetime.now(UTC)
    with pytest.raises(ValueError, match="naive UTC"):
        q.claim_next_attempt(
            engine=app.state.engine, worker_id="W", lease_s=30, max_tries=3, now=aware
        )


def test_release_requeues_without_counting(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("queue3")
    aid = _submit(client, h)
    engine = app.state.engine
    claim = q.claim_next_attempt(engine=engine, worker_id="W", lease_s=30, max_tries=3)
    assert claim is not None
    assert q.release_attempt(engine=engine, claim=claim) is True
    row = _row(app, aid)
    assert row.status == "queued" and row.tries == 0 and row.worker_id is None


def test_result_write_retried_through_a_database_blip(
    client: TestClient,
    app: FastAPI,
    settings: Settings,
    users: Users,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = users.headers("queue4")
    aid = _submit(client, h)
    real = q.complete_attempt
    calls = {"n": 0}

    def flaky(**kw: Any) -> bool:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("UPDATE", {}, Exception("server closed the connection"))
        return real(**kw)

    monkeypatch.setattr(q, "complete_attempt", flaky)
    Worker(settings=settings, engine=app.state.engine, grader_factory=fake_grader).run(burst=True)
    assert calls["n"] == 3
    row = _row(app, aid)
    assert row.status == "passed" and row.tries == 1


def test_result_with_nul_bytes_and_odd_text_is_stored(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    h = users.headers("queue5")
    aid = _submit(client, h)
    claim = q.claim_next_attempt(engine=app.state.engine, worker_id="W", lease_s=30, max_tries=3)
    assert claim is not None
    weird = "nul:\x00 surrogate-free unicode: \u2603 \U0001f600 " + "x" * 70_000
    result = GradeResult(status="failed", score=0.0, summary="s", stdout=weird)
    assert q.complete_attempt(engine=app.state.engine, claim=claim, result=result)
    got = client.get(f"/api/submissions/{aid}", headers=h).json()
    assert got["result"]["stdout"] == weird


def _claim(app: FastAPI, worker: str = "W") -> q.Claim:
    claim = q.claim_next_attempt(engine=app.state.engine, worker_id=worker, lease_s=30, max_tries=3)
    assert claim is not None
    return claim


def test_claims_go_round_robin_across_users(
    client: TestClient, app: FastAPI, users: Users, settings_factory: Any
) -> None:
    flood, other = users.headers("flooder"), users.headers("patient")
    floods = [_submit(client, flood) for _ in range(3)]
    late = _submit(client, other)  # queued after the whole flood
    first = _claim(app)
    assert first.attempt_id == floods[0]
    q.complete_attempt(engine=app.state.engine, claim=first, result=PASSED)
    # One worker, nothing running: the user never served goes before the flood's rest.
    second = _claim(app)
    assert second.attempt_id == late
    q.complete_attempt(engine=app.state.engine, claim=second, result=PASSED)
    assert [_claim(app).attempt_id, _claim(app, "V").attempt_id] == floods[1:]


def test_a_user_with_work_running_waits_behind_one_without(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    a, b = users.headers("amy"), users.headers("bob")
    a1, a2 = _submit(client, a), _submit(client, a)
    b1 = _submit(client, b)
    assert _claim(app, "W1").attempt_id == a1
    assert _claim(app, "W2").attempt_id == b1  # amy has one running, bob none
    assert _claim(app, "W3").attempt_id == a2


def test_one_user_cannot_fill_the_queue(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("greedy")
    cap = app.state.settings.user_active_max
    for _ in range(cap):
        _submit(client, h)
    r = client.post(
        "/api/submissions", json={"problem": "cumulative-sum", "code": "x = 1"}, headers=h
    )
    assert r.status_code == 429, r.text
    assert "waiting or being graded" in r.json()["detail"] and "Retry-After" in r.headers
    # Someone else is not affected, and the greedy user may submit again once one is done.
    _submit(client, users.headers("modest"))
    done = _claim(app)
    q.complete_attempt(engine=app.state.engine, claim=done, result=PASSED)
    _submit(client, h)


def test_an_idle_worker_is_woken_the_moment_an_attempt_is_queued(
    client: TestClient, app: FastAPI, users: Users, settings_factory: Any
) -> None:
    """With a 30 s poll the only way to a quick verdict is the wake-up (the local socket
    on SQLite, LISTEN/NOTIFY and the socket on Postgres)."""
    import threading

    from app.queue.wakeup import wake_dir

    slow_poll = settings_factory(poll_s=30.0)
    worker = Worker(settings=slow_poll, engine=app.state.engine, grader_factory=fake_grader)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not list(wake_dir(slow_poll.data_dir).glob("*.sock")):
            assert time.monotonic() < deadline, "the worker never bound its wake-up socket"
            time.sleep(0.05)
        time.sleep(0.3)  # the slot is now idle, in its 30 s wait
        started = time.monotonic()
        aid = _submit(client, users.headers("impatient"))
        while _row(app, aid).status in ("queued", "running"):
            assert time.monotonic() - started < 5, "not woken: the worker waited for its poll"
            time.sleep(0.02)
        assert _row(app, aid).status == "passed"
    finally:
        worker.stopping.set()
        worker._wake.set()
        thread.join(timeout=10)
    assert not list(wake_dir(slow_poll.data_dir).glob("*.sock"))  # removed on exit


def test_waking_skips_sockets_of_dead_workers(tmp_path: Any) -> None:
    import socket as socket_module

    from app.queue.wakeup import wake_dir, wake_local_workers

    directory = wake_dir(tmp_path)
    directory.mkdir()
    dead = socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_DGRAM)
    dead.bind(str(directory / "1-dead.sock"))
    dead.close()  # bound, then gone: sending is refused
    alive = socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_DGRAM)
    alive.bind(str(directory / "2-alive.sock"))
    try:
        assert wake_local_workers(tmp_path) == 1
        assert alive.recv(8) == b"!"
        assert not (directory / "1-dead.sock").exists()
    finally:
        alive.close()


def test_postgres_notify_reaches_a_listening_worker_without_the_local_socket(
    app: FastAPI, backend: str, tmp_path: Any
) -> None:
    import threading

    from app.queue.wakeup import Waker, notify_in_transaction

    event = threading.Event()
    waker = Waker(data_dir=tmp_path / "elsewhere", engine=app.state.engine, events=(event,))
    try:
        time.sleep(0.2)
        with app.state.sessionmaker() as s:
            notify_in_transaction(s)
            s.commit()
        # Another host's web process reaches this worker only through the database.
        assert event.wait(5.0 if backend == "postgres" else 0.5) is (backend == "postgres")
    finally:
        waker.close()


def _events(client: TestClient, aid: int, headers: dict[str, str]) -> list[tuple[str, Any]]:
    import json

    events: list[tuple[str, Any]] = []
    with client.stream("GET", f"/api/submissions/{aid}/events", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((str(name), json.loads(line[len("data: ") :])))
    return events


def test_event_stream_pushes_states_then_the_verdict(
    client: TestClient, app: FastAPI, users: Users, settings_factory: Any
) -> None:
    import threading

    h = users.headers("streamer")
    aid = _submit(client, h, code="# sleep: 0.3\n")
    worker = Worker(
        settings=settings_factory(poll_s=30.0), engine=app.state.engine, grader_factory=fake_grader
    )
    thread = threading.Thread(target=worker.run, daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        events = _events(client, aid, h)
    finally:
        worker.stopping.set()
        worker._wake.set()
        thread.join(timeout=10)
    assert time.monotonic() - started < 10
    names = [n for n, _ in events]
    states = [data["status"] for name, data in events if name == "status"]
    assert states in (["queued"], ["running"], ["queued", "running"]), states  # in order, once each
    assert all(data["id"] == aid for _, data in events)
    assert names[-1] == "result" and names.count("result") == 1
    final = events[-1][1]
    assert final["id"] == aid and final["status"] == "passed" and final["result"]["score"] == 1.0
    assert final == client.get(f"/api/submissions/{aid}", headers=h).json()


def test_event_stream_is_private_and_ends_without_a_worker(
    client: TestClient, app: FastAPI, users: Users, settings_factory: Any
) -> None:
    from app.main import create_app
    from tests.app.support import prepare

    owner = users.headers("owner")
    aid = _submit(client, owner)
    other = users.headers("nosy")
    assert client.get(f"/api/submissions/{aid}/events", headers=other).status_code == 404
    assert client.get("/api/submissions/999999/events", headers=other).status_code == 404
    short = settings_factory(event_stream_max_s=0.5)
    prepare(short)
    application = create_app(short)
    try:
        with TestClient(application) as c:
            assert [n for n, _ in _events(c, aid, owner)] == ["status"]  # queued, then ends
    finally:
        application.state.engine.dispose()
