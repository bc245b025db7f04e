"""The migrations build exactly the schema the models declare, on SQLite and Postgres."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app.core.db import make_engine
from app.core.migrate import is_up_to_date, upgrade
from app.models import Base
from tests.app.support import BACKENDS, fresh_database, make_settings


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrated_schema_matches_models(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path, migrated=False) as url:  # the real migrations
        engine = make_engine(make_settings(url, tmp_path))
        assert not is_up_to_date(engine)
        upgrade(engine)
        upgrade(engine)  # idempotent
        assert is_up_to_date(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], diff
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        engine.dispose()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(make_settings(f"sqlite:///{tmp_path / 'p.db'}", tmp_path))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()
