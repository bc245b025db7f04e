"""Changing one's own password: the account page form and POST /api/account/password.

The current password is checked (guesses count towards the sign-in limits), every session
of the user ends except a fresh one for the browser that made the change, API tokens stay
valid."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.core import security
from app.models import LoginAttempt, UserSession
from app.services import users as user_service
from app.web.account import PASSWORD_CHANGED, PASSWORDS_DIFFER
from tests.app.conftest import Users
from tests.app.support import PASSWORD

NEW_PASSWORD = "a brand new passphrase"
SESSION = "jaxdojo_session"


def _login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 204, r.text


def _csrf(client: TestClient) -> str:
    token: str = client.get("/api/auth/csrf").json()["csrf_token"]
    return token


def _can_sign_in(client: TestClient, username: str, password: str) -> bool:
    r = client.post("/api/auth/token", data={"username": username, "password": password})
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def _signed_in_as(client: TestClient) -> str | None:
    r = client.get("/api/auth/me")
    return r.json()["username"] if r.status_code == 200 else None


def _form(
    client: TestClient,
    current: str = PASSWORD,
    new: str = NEW_PASSWORD,
    confirm: str | None = None,
    *,
    csrf: str | None = "",
) -> dict[str, str]:
    data = {
        "current_password": current,
        "new_password": new,
        "new_password_confirm": new if confirm is None else confirm,
    }
    if csrf is not None:
        data["csrf_token"] = csrf or _csrf(client)
    return data


def _post_form(client: TestClient, data: dict[str, str]) -> httpx.Response:
    return client.post(
        "/account/password", data=data, headers={"accept": "text/html"}, follow_redirects=False
    )


@pytest.fixture
def other_device(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_account_page_has_the_form(client: TestClient, users: Users) -> None:
    users.create("formy")
    _login(client, "formy")
    page = client.get("/account").text
    assert "Change password" in page
    assert 'action="/account/password"' in page
    assert 'name="current_password"' in page and 'autocomplete="current-password"' in page
    assert page.count('autocomplete="new-password"') == 2
    assert f'minlength="{user_service.MIN_PASSWORD}"' in page
    assert "other device" in page
    assert "API tokens" in page  # the token section is still there


def test_web_change_keeps_this_browser_and_signs_out_the_others(
    app: FastAPI, client: TestClient, other_device: TestClient, users: Users
) -> None:
    bearer = users.headers("alice")  # creates alice; API tokens stay valid
    _login(client, "alice")
    _login(other_device, "alice")
    before = client.cookies.get(SESSION)
    assert _signed_in_as(other_device) == "alice"

    r = _post_form(client, _form(client))
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/account")
    after = client.cookies.get(SESSION)
    assert after and after != before  # a fresh session for this browser

    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert PASSWORD_CHANGED in page.text
    assert _signed_in_as(client) == "alice"
    assert _signed_in_as(other_device) is None
    with app.state.sessionmaker() as session:  # this browser's old session was ended too
        old = session.get(UserSession, security.token_hash(before or ""))
        assert old is not None and old.revoked_at is not None
    assert client.get("/api/auth/me", headers=bearer).status_code == 200

    assert not _can_sign_in(client, "alice", PASSWORD)
    assert _can_sign_in(client, "alice", NEW_PASSWORD)
    # the notice is only ever one of the page's own messages
    assert "evil" not in client.get("/account?done=evil").text


def test_web_wrong_current_password(app: FastAPI, client: TestClient, users: Users) -> None:
    users.create("bob")
    _login(client, "bob")
    r = _post_form(client, _form(client, current="not my password"))
    assert r.status_code == 400
    assert user_service.WRONG_PASSWORD in r.text
    assert 'id="password-error"' in r.text
    assert NEW_PASSWORD not in r.text and "not my password" not in r.text  # fields emptied
    assert "API tokens" in r.text  # the rest of the page is there
    assert _signed_in_as(client) == "bob"
    assert _can_sign_in(client, "bob", PASSWORD)
    assert not _can_sign_in(client, "bob", NEW_PASSWORD)
    with app.state.sessionmaker() as session:  # the guess was counted
        failures = session.scalar(
            select(func.count()).where(
                LoginAttempt.username == "bob", LoginAttempt.succeeded.is_(False)
            )
        )
    assert failures == 2  # the form's guess and the token request with NEW_PASSWORD


def test_web_confirmation_mismatch(client: TestClient, users: Users) -> None:
    users.create("carol")
    _login(client, "carol")
    r = _post_form(client, _form(client, confirm=NEW_PASSWORD + "x"))
    assert r.status_code == 400
    assert PASSWORDS_DIFFER in r.text
    assert _can_sign_in(client, "carol", PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", f"at least {user_service.MIN_PASSWORD} characters"),
        ("password1", "too common"),
        ("x" * (user_service.MAX_PASSWORD + 1), f"at most {user_service.MAX_PASSWORD}"),
        (PASSWORD, "must differ"),
        ("", "Enter a new password"),
    ],
)
def test_web_refuses_a_bad_new_password(
    client: TestClient, users: Users, new: str, message: str
) -> None:
    users.create("dave")
    _login(client, "dave")
    r = _post_form(client, _form(client, new=new))
    assert r.status_code == 400, r.text
    assert message in r.text
    assert _signed_in_as(client) == "dave"
    assert _can_sign_in(client, "dave", PASSWORD)


def test_web_empty_current_password(client: TestClient, users: Users) -> None:
    users.create("erin")
    _login(client, "erin")
    r = _post_form(client, _form(client, current=""))
    assert r.status_code == 400
    assert "Enter your current password" in r.text


@pytest.mark.parametrize("csrf", [None, "forged"])
def test_web_without_csrf_token_is_refused(
    client: TestClient, users: Users, csrf: str | None
) -> None:
    users.create("frank")
    _login(client, "frank")
    r = _post_form(client, _form(client, csrf=csrf))
    assert r.status_code == 403
    assert _signed_in_as(client) == "frank"
    assert _can_sign_in(client, "frank", PASSWORD)
    assert not _can_sign_in(client, "frank", NEW_PASSWORD)


def test_web_cross_origin_is_refused(client: TestClient, users: Users) -> None:
    users.create("grace")
    _login(client, "grace")
    r = client.post(
        "/account/password",
        data=_form(client),
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert _can_sign_in(client, "grace", PASSWORD)


def test_signed_out_is_refused(client: TestClient, users: Users) -> None:
    users.create("heidi")
    data = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    r = _post_form(client, data)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = client.post("/account/password", data=data, headers={"accept": "application/json"})
    assert r.status_code == 401
    r = client.post(
        "/api/account/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    r = client.post(
        "/api/account/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bad,
    )
    assert r.status_code == 401
    assert _can_sign_in(client, "heidi", PASSWORD)


def test_api_change_with_a_bearer_token(
    client: TestClient, other_device: TestClient, users: Users
) -> None:
    bearer = users.headers("ivan")
    _login(other_device, "ivan")
    r = client.post(
        "/api/account/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer,
    )
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert "set-cookie" not in r.headers or SESSION not in r.headers["set-cookie"]
    assert client.get("/api/auth/me", headers=bearer).status_code == 200  # token still valid
    assert _signed_in_as(other_device) is None  # sessions ended
    assert not _can_sign_in(client, "ivan", PASSWORD)
    assert _can_sign_in(client, "ivan", NEW_PASSWORD)


def test_api_change_with_a_cookie_keeps_this_browser(
    client: TestClient, other_device: TestClient, users: Users
) -> None:
    users.create("judy")
    _login(client, "judy")
    _login(other_device, "judy")
    before = client.cookies.get(SESSION)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/account/password", json=body).status_code == 403  # no CSRF token
    r = client.post("/api/account/password", json=body, headers={"X-CSRF-Token": _csrf(client)})
    assert r.status_code == 204, r.text
    assert client.cookies.get(SESSION) not in (None, before)
    assert _signed_in_as(client) == "judy"
    assert _signed_in_as(other_device) is None


def test_api_wrong_current_password(client: TestClient, users: Users) -> None:
    bearer = users.headers("mallory")
    r = client.post(
        "/api/account/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=bearer,
    )
    assert r.status_code == 400
    assert r.json() == {"detail": user_service.WRONG_PASSWORD, "code": "wrong_password"}
    assert _can_sign_in(client, "mallory", PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": PASSWORD, "new_password": "short"},
        {"current_password": PASSWORD, "new_password": "12345678"},
        {"current_password": PASSWORD, "new_password": PASSWORD},
        {"current_password": PASSWORD},
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "extra": 1},
        {"current_password": PASSWORD, "new_password": "x" * 2000},
    ],
)
def test_api_refuses_a_bad_body(client: TestClient, users: Users, body: dict[str, object]) -> None:
    bearer = users.headers("niaj")
    r = client.post("/api/account/password", json=body, headers=bearer)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
    assert _can_sign_in(client, "niaj", PASSWORD)


def test_guessing_the_current_password_is_rate_limited(
    client: TestClient, users: Users, app: FastAPI
) -> None:
    bearer = users.headers("oscar")
    limit = app.state.settings.login_max_failures
    body = {"current_password": "a wrong guess", "new_password": NEW_PASSWORD}
    for _ in range(limit):
        r = client.post("/api/account/password", json=body, headers=bearer)
        assert r.status_code == 400
    r = client.post("/api/account/password", json=body, headers=bearer)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # even the right password waits out the window
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/account/password", json=right, headers=bearer).status_code == 429
