"""Page tests: a fresh migrated SQLite database per test, the real problem folders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.migrate import upgrade
from app.main import create_app
from app.services import problems as problem_service
from app.services import users as user_service
from grader.config import GraderSettings
from tests.app.support import CHEAP_PASSWORD_HASHING

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = Settings(
        env="test",
        secret_key="x" * 48,
        database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}",
        grader=GraderSettings(data_dir=tmp_path, problems_dir=REPO / "problems"),
        **CHEAP_PASSWORD_HASHING,
    )
    application = create_app(settings)
    upgrade(application.state.engine)
    with application.state.sessionmaker() as session:
        problem_service.sync_problems(session=session, problems_dir=settings.problems_dir)
        session.commit()
    return application


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    with app.state.sessionmaker() as session:
        yield session


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # base_url https would switch to __Host- cookies; the pages work either way.
    with TestClient(app, base_url="http://testserver") as c:
        c.headers["accept"] = "text/html"
        yield c


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1) or match.group(2)


def make_user(db: Session, username: str, role: str = "student") -> None:
    user_service.register_user(session=db, username=username, password=PASSWORD, role=role)
    db.commit()


def sign_in(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = csrf_from(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": ""},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
