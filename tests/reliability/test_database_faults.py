"""The database fails at submit time: 503, no half-written attempt, and a retry works."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.main import create_app
from app.models import Attempt
from app.services import attempts as attempt_service
from tests.app.support import BACKENDS, PASSWORD, fresh_database, make_settings, prepare

SUBMISSION = {"problem": "cumulative-sum", "code": "x = 1", "mode": "submit"}


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, TestClient, Any]]:
    backend = str(request.param)
    with fresh_database(backend, tmp_path) as url:
        settings = make_settings(url, tmp_path / "data", sqlite_busy_timeout_ms=200)
        prepare(settings)
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            client.post("/api/auth/register", json={"username": "ann", "password": PASSWORD})
            r = client.post("/api/auth/token", data={"username": "ann", "password": PASSWORD})
            client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            yield url, client, app
        app.state.engine.dispose()


def _count(app: Any) -> int:
    with app.state.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(Attempt)) or 0)


def _assert_unavailable(r: Any) -> None:
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "unavailable"
    assert "Retry-After" in r.headers
    assert "Traceback" not in r.text and "sqlalchemy" not in r.text.lower()


def test_database_unreachable_at_submit(env: tuple[str, TestClient, Any]) -> None:
    url, client, app = env
    if url.startswith("sqlite"):
        path = make_url(url).database
        assert path is not None
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            _assert_unavailable(client.post("/api/submissions", json=SUBMISSION))
        finally:
            locker.execute("ROLLBACK")
            locker.close()
    else:
        name = make_url(url).database
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        try:
            _assert_unavailable(client.post("/api/submissions", json=SUBMISSION))
            _assert_unavailable(client.get("/api/health"))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
            admin.dispose()
    assert _count(app) == 0
    r = client.post("/api/submissions", json=SUBMISSION)  # after recovery
    assert r.status_code == 202, r.text
    assert _count(app) == 1


def test_failure_after_insert_leaves_no_attempt(
    env: tuple[str, TestClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client, app = env
    real = attempt_service.create_submission

    def insert_then_fail(**kw: Any) -> Attempt:
        real(**kw)  # the row is flushed inside the transaction...
        raise OperationalError("INSERT", {}, Exception("connection reset"))  # ...then the DB dies

    monkeypatch.setattr(attempt_service, "create_submission", insert_then_fail)
    _assert_unavailable(client.post("/api/submissions", json=SUBMISSION))
    assert _count(app) == 0
