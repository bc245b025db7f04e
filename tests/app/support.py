"""Shared helpers for the app and reliability tests: fresh migrated databases on SQLite and
Postgres, settings pointing at the fixture problems, users and tokens.

The migrations run once per test process and backend, into a template (a SQLite file, a
Postgres database) that each test's database is copied from: ``fresh_database``. Settings
from ``make_settings`` hash passwords with cheap argon2 parameters (``prepare`` and
``create_app`` apply them).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core import security
from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, session_scope
from app.core.migrate import alembic_config, upgrade
from app.services.problems import sync_problems
from grader.config import GraderSettings

FIXTURE_PROBLEMS = Path(__file__).resolve().parent / "fixtures" / "problems"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"
PG_ENV = "JAXDOJO_TEST_POSTGRES_URL"
# Cheap argon2: OWASP's 19 MiB, t=2 takes ~100 ms a hash or verification here; this ~2 ms.
CHEAP_PASSWORD_HASHING = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


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
def fresh_database(backend: str, tmp_path: Path, *, migrated: bool = True) -> Iterator[str]:
    """A URL of a brand-new database, dropped afterwards: a copy of this process's migrated
    template, or with ``migrated=False`` an empty one (for the migrations' own tests)."""
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        if migrated:
            shutil.copyfile(_sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    admin_url = postgres_admin_url()
    template = f' TEMPLATE "{_postgres_template(admin_url)}"' if migrated else ""
    name = f"jaxdojo_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield _database_url(admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _database_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@functools.cache
def _template_dir() -> Path:
    """This process's folder for the SQLite template (and the templates' data dir)."""
    folder = Path(tempfile.mkdtemp(prefix="jaxdojo-templates-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _migrate(url: str) -> None:
    engine = make_engine(make_settings(url, _template_dir() / "data"))
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite file migrated to head, made once per process (cached only on success)."""
    path = _template_dir() / f"template-{uuid.uuid4().hex[:8]}.sqlite3"
    _migrate(f"sqlite:///{path}")
    # One self-contained file to copy: fold the write-ahead log in (each test's engine
    # turns WAL on again when it connects).
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    return path


@functools.cache
def _postgres_template(admin_url: str) -> str:
    """The name of a Postgres database migrated to head, made once per process (xdist
    workers are processes: each has its own) and dropped when the process exits."""
    name = f"jaxdojo_tmpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    atexit.register(_drop_postgres_database, admin_url, name)
    # CREATE DATABASE ... TEMPLATE needs the template to have no sessions: all are closed.
    _migrate(_database_url(admin_url, name))
    return name


def _drop_postgres_database(admin_url: str, name: str) -> None:
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    except Exception:  # at exit: a server already gone leaves nothing to drop
        pass


@functools.cache
def _head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


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
    if overrides.get("env") != "production":  # which refuses weak hashing: keep its defaults
        values.update(CHEAP_PASSWORD_HASHING)
    values.update(overrides)
    return Settings(**values)


def prepare(settings: Settings) -> None:
    """Migrate the database unless it is at head already (a copy of the template), sync the
    fixture problems, and hash passwords with the settings' parameters from now on."""
    security.configure(settings)
    engine = make_engine(settings)
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != _head_revision():
        upgrade(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        sync_problems(session=session, problems_dir=settings.problems_dir)
    engine.dispose()


BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
