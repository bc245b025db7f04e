"""Shared helpers for the app and reliability tests: fresh migrated databases on SQLite and
Postgres, settings pointing at the fixture problems, users and tokens."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, session_scope
from app.core.migrate import upgrade
from app.services.problems import sync_problems
from grader.config import GraderSettings

FIXTURE_PROBLEMS = Path(__file__).resolve().parent / "fixtures" / "problems"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"
PG_ENV = "JAXDOJO_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    """The configured Postgres URL, or skip (fail when JAXDOJO_REQUIRE_POSTGRES=1)."""
    url = os.environ.get(PG_ENV)
    required = os.environ.get("JAXDOJO_REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail(f"JAXDOJO_REQUIRE_POSTGRES=1 but {PG_ENV} is not set")
        pytest.skip(f"{PG_ENV} is not set; Postgres tests skipped")
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        if required:
            pytest.fail(f"Postgres at {PG_ENV} is unreachable: {exc}")
        pytest.skip(f"Postgres at {PG_ENV} is unreachable: {exc}")
    return url


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of a brand-new empty database, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    admin_url = postgres_admin_url()
    name = f"jaxdojo_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_settings(url: str, data_dir: Path, **overrides: Any) -> Settings:
    grader = GraderSettings(data_dir=data_dir, problems_dir=FIXTURE_PROBLEMS)
    values: dict[str, Any] = {
        "env": "test",
        "database_url": url,
        "secret_key": TEST_SECRET,
        "grader": grader,
        "sqlite_busy_timeout_ms": 10000,
        # No worker runs in most app tests: an event stream of a queued attempt would wait
        # its full 15 minutes. Tests that grade finish well inside this.
        "event_stream_max_s": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


def prepare(settings: Settings) -> None:
    """Migrate the database and sync the fixture problems."""
    engine = make_engine(settings)
    upgrade(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        sync_problems(session=session, problems_dir=settings.problems_dir)
    engine.dispose()


BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
