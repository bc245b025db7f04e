from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from app.models import User
from app.services import users as user_service
from tests.app.support import BACKENDS, PASSWORD, fresh_database, make_settings, prepare


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def settings_factory(db_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return make_settings(db_url, tmp_path / "data", **overrides)

    return make


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    s = settings_factory()
    prepare(s)
    return s


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class Users:
    """Creates users and bearer headers on an app's database."""

    def __init__(self, app: FastAPI, client: TestClient):
        self.app = app
        self.client = client

    def create(self, username: str, role: str = "student") -> User:
        with self.app.state.sessionmaker() as session:
            user = user_service.register_user(
                session=session, username=username, password=PASSWORD, role=role
            )
            session.commit()
            return user

    def headers(self, username: str, role: str = "student") -> dict[str, str]:
        self.create(username, role)
        r = self.client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def users(app: FastAPI, client: TestClient) -> Users:
    return Users(app, client)
