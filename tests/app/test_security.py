"""Accounts and web security: passwords, sessions and cookies, CSRF, rate limits, limits,
headers, error shape, configuration."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.core import security
from app.core.config import InsecureConfiguration, Settings
from app.main import create_app
from app.models import User
from tests.app.conftest import Users
from tests.app.support import PASSWORD, make_settings, prepare

SUB = {"problem": "cumulative-sum", "code": "x = 1", "mode": "run"}


def _login(client: TestClient, username: str) -> None:
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 204, r.text


def _csrf(client: TestClient) -> str:
    token: str = client.get("/api/auth/csrf").json()["csrf_token"]
    return token


def _hash_parameters(stored: str | None) -> tuple[int, int, int]:
    """(memory KiB, iterations, lanes) of an argon2id hash."""
    m = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored or "")
    assert m, stored
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def _stored_hash(app: FastAPI, username: str) -> str | None:
    with app.state.sessionmaker() as session:
        return session.scalar(select(User.password_hash).where(User.username == username))


def test_password_hash_is_argon2id_with_the_configured_parameters(
    app: FastAPI, users: Users, tmp_path: Path
) -> None:
    users.create("hashy")
    s = app.state.settings
    assert _hash_parameters(_stored_hash(app, "hashy")) == (
        s.password_hash_memory_kib,
        s.password_hash_time_cost,
        s.password_hash_parallelism,
    )
    # Outside the tests: OWASP's parameters (t=2, m=19 MiB, p=1) by default.
    production = make_settings(
        f"sqlite:///{tmp_path / 'p.db'}", tmp_path, env="production", secret_key="k" * 40
    )
    security.configure(production)
    try:
        assert _hash_parameters(security.hash_password(PASSWORD)) == (19456, 2, 1)
    finally:
        security.configure(s)


def test_password_hashing_settings_are_bounded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    prod = {"env": "production", "secret_key": "k" * 40}
    for weak in ({"password_hash_memory_kib": 1024}, {"password_hash_time_cost": 1}):
        with pytest.raises(InsecureConfiguration, match="OWASP"):
            make_settings(url, tmp_path, **prod, **weak)
    # OWASP's other choices are accepted
    for memory, time in ((47104, 1), (12288, 3), (7168, 5)):
        make_settings(
            url, tmp_path, **prod, password_hash_memory_kib=memory, password_hash_time_cost=time
        )
    for bad in (
        {"password_hash_memory_kib": 512},
        {"password_hash_memory_kib": 19456 * 1024},  # bytes, not KiB
        {"password_hash_time_cost": 0},
        {"password_hash_parallelism": 0},
    ):
        with pytest.raises(ValueError):
            make_settings(url, tmp_path, **bad)


def test_password_is_rehashed_at_sign_in_when_the_parameters_change(
    app: FastAPI, users: Users, settings_factory: Callable[..., Settings]
) -> None:
    users.create("upgrader")
    old = _stored_hash(app, "upgrader")
    assert _hash_parameters(old) == (1024, 1, 1)  # the tests' cheap parameters
    stronger = create_app(
        settings_factory(password_hash_memory_kib=2048, password_hash_time_cost=2)
    )
    try:
        with TestClient(stronger) as c:
            for _ in range(2):
                r = c.post("/api/auth/token", data={"username": "upgrader", "password": PASSWORD})
                assert r.status_code == 200, r.text
                new = _stored_hash(stronger, "upgrader")
                assert _hash_parameters(new) == (2048, 2, 1)
                assert not security.needs_rehash(new or "")
            assert new != old
            # a wrong password changes nothing
            r = c.post("/api/auth/token", data={"username": "upgrader", "password": "x" * 10})
            assert r.status_code == 401 and _stored_hash(stronger, "upgrader") == new
    finally:
        stronger.state.engine.dispose()
        security.configure(app.state.settings)


def test_login_errors_identical_and_rate_limited(client: TestClient, users: Users) -> None:
    users.create("victim")
    unknown = client.post("/api/auth/token", data={"username": "nobody", "password": "x" * 10})
    wrong = client.post("/api/auth/token", data={"username": "victim", "password": "x" * 10})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    for _ in range(9):  # 10 failures in all
        client.post("/api/auth/token", data={"username": "victim", "password": "bad-guess-1"})
    r = client.post("/api/auth/token", data={"username": "victim", "password": "bad-guess-1"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # even the right password waits out the window (no oracle for the attacker)
    r = client.post("/api/auth/token", data={"username": "victim", "password": PASSWORD})
    assert r.status_code == 429


def test_session_cookie_flags_over_https(app: FastAPI, users: Users) -> None:
    users.create("secure")
    with TestClient(app, base_url="https://testserver") as client:
        r = client.post("/api/auth/login", json={"username": "secure", "password": PASSWORD})
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-jaxdojo_session=")
        for flag in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"):
            assert flag.lower() in cookie.lower(), cookie
        assert "domain" not in cookie.lower()
        assert client.get("/api/auth/me").json()["username"] == "secure"


def test_session_rotation_and_logout(client: TestClient, users: Users) -> None:
    users.create("rot")
    _login(client, "rot")
    first = client.cookies.get("jaxdojo_session")
    _login(client, "rot")
    second = client.cookies.get("jaxdojo_session")
    assert first and second and first != second
    # the old session id no longer works
    r = client.get("/api/auth/me", cookies={"jaxdojo_session": first})
    assert r.status_code == 401
    csrf = _csrf(client)
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    r = client.get("/api/auth/me", cookies={"jaxdojo_session": second})
    assert r.status_code == 401


def test_csrf_required_for_cookie_authenticated_writes(client: TestClient, users: Users) -> None:
    users.create("csrfy")
    _login(client, "csrfy")
    r = client.post("/api/submissions", json=SUB)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = client.post("/api/submissions", json=SUB, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    token = _csrf(client)
    r = client.post(
        "/api/submissions",
        json=SUB,
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    r = client.post(
        "/api/submissions",
        json=SUB,
        headers={"X-CSRF-Token": token, "Origin": "http://testserver"},
    )
    assert r.status_code == 202, r.text
    r = client.post(
        "/api/submissions",
        json=SUB,
        headers={"X-CSRF-Token": token, "Referer": "http://testserver/problems/x"},
    )
    assert r.status_code == 202, r.text
    # GETs never need it; bearer clients never need it
    assert client.get("/api/submissions").status_code == 200


def test_submission_rate_limit(settings_factory: Callable[..., Settings], tmp_path: Path) -> None:
    from tests.app.support import prepare

    settings = settings_factory(submit_rate_limit=3, submit_rate_window_s=60)
    prepare(settings)
    app = create_app(settings)
    with TestClient(app) as client:
        h = Users(app, client).headers("speedy")
        for _ in range(3):
            assert client.post("/api/submissions", json=SUB, headers=h).status_code == 202
        r = client.post("/api/submissions", json=SUB, headers=h)
        assert r.status_code == 429
        assert 0 < int(r.headers["Retry-After"]) <= 61
        # another user is unaffected
        h2 = Users(app, client).headers("patient")
        assert client.post("/api/submissions", json=SUB, headers=h2).status_code == 202
    app.state.engine.dispose()


def test_global_queue_cap(settings_factory: Callable[..., Settings]) -> None:
    from tests.app.support import prepare

    settings = settings_factory(queue_max=2)
    prepare(settings)
    app = create_app(settings)
    with TestClient(app) as client:
        h = Users(app, client).headers("qauser")
        assert client.post("/api/submissions", json=SUB, headers=h).status_code == 202
        assert client.post("/api/submissions", json=SUB, headers=h).status_code == 202
        r = client.post("/api/submissions", json=SUB, headers=h)
        assert r.status_code == 503 and r.json()["code"] == "queue_full"
        assert "Retry-After" in r.headers
        assert len(client.get("/api/submissions", headers=h).json()) == 2
    app.state.engine.dispose()


def test_size_limits(client: TestClient, users: Users, settings: Settings) -> None:
    h = users.headers("big")
    code = "x = 1\n" * (settings.max_code_bytes // 6 + 10)
    r = client.post("/api/submissions", json={**SUB, "code": code}, headers=h)
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    huge = "#" * (settings.max_request_bytes + 1)
    r = client.post("/api/submissions", json={**SUB, "code": huge}, headers=h)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_security_headers_and_error_shape(client: TestClient) -> None:
    r = client.get("/api/problems/does-not-exist")
    assert r.status_code == 404
    assert r.json() == {"detail": "No such problem.", "code": "not_found"}
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]


def test_unexpected_error_is_generic_500(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd SELECT *")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "Something went wrong on our side.", "code": "internal_error"}
    assert "Traceback" not in r.text and "secret" not in r.text
    app.state.engine.dispose()


def test_production_refuses_weak_secrets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    for bad in (
        None,
        "short",
        "changeme",
        "CHANGE-ME-to-a-long-random-string-of-at-least-32-bytes",
    ):
        with pytest.raises((InsecureConfiguration, ValueError)):
            make_settings(url, tmp_path, env="production", secret_key=bad)
    ok = make_settings(url, tmp_path, env="production", secret_key="k" * 20 + "9f8e7d6c5b4a3210xyz")
    assert ok.is_production
    assert create_app(ok).docs_url is None
    for weak in ("", ":postgres", ":short"):
        with pytest.raises((InsecureConfiguration, ValueError)):
            make_settings(
                f"postgresql+psycopg://jaxdojo{weak}@db.internal:5432/jaxdojo",
                tmp_path,
                env="production",
                secret_key="k" * 40,
            )
    strong = "postgresql+psycopg://jaxdojo:a-long-db-password-123@db.internal/jaxdojo"
    assert make_settings(strong, tmp_path, env="production", secret_key="k" * 40).is_production


def test_dev_secret_generated_and_persisted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    a = make_settings(url, tmp_path, env="development", secret_key=None)
    b = make_settings(url, tmp_path, env="development", secret_key=None)
    assert a.secret_key is not None and b.secret_key is not None
    assert a.secret_key.get_secret_value() == b.secret_key.get_secret_value()
    assert len(a.secret_key.get_secret_value()) >= 32
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0


def test_signed_out_browser_is_sent_to_login(client: TestClient) -> None:
    r = client.get("/api/submissions", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 401  # the API always answers JSON
    page = next((p for p in ("/account", "/instructor") if client.get(p).status_code != 404), None)
    if page is None:
        pytest.skip("no signed-in page routes yet")
    r = client.get(page, headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_registration_is_limited_per_client_and_forwarded_headers_are_not_believed(
    client: TestClient, app: FastAPI
) -> None:
    limit = app.state.settings.registrations_per_ip
    for i in range(limit):
        r = client.post(
            "/api/auth/register",
            json={"username": f"bulk{i}", "password": "a long passphrase"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},  # from an untrusted peer: ignored
        )
        assert r.status_code == 201, r.text
    r = client.post(
        "/api/auth/register",
        json={"username": "bulkmore", "password": "a long passphrase"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert r.status_code == 429, r.text
    assert "accounts were created from your address" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) > 0
    # The refused name was not created: nothing half-done is left behind.
    with app.state.sessionmaker() as s:
        assert s.scalar(select(User.id).where(User.username == "bulkmore")) is None


def test_forwarded_for_is_believed_from_a_trusted_proxy(settings_factory: Any) -> None:
    settings = settings_factory(forwarded_allow_ips="testclient", registrations_per_ip=1)
    prepare(settings)
    application = create_app(settings)
    try:
        with TestClient(application) as c:
            for i in range(2):  # two clients behind the proxy: one account each
                r = c.post(
                    "/api/auth/register",
                    json={"username": f"proxied{i}", "password": "a long passphrase"},
                    headers={"X-Forwarded-For": f"192.0.2.{i + 1}"},
                )
                assert r.status_code == 201, r.text
            r = c.post(
                "/api/auth/register",
                json={"username": "proxied9", "password": "a long passphrase"},
                headers={"X-Forwarded-For": "192.0.2.1"},
            )
            assert r.status_code == 429
    finally:
        application.state.engine.dispose()
