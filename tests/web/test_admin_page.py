"""The admin page: every account listed, roles changed with a CSRF-protected form, the
last admin kept, and nobody else let in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import users as user_service
from tests.web.conftest import csrf_from, make_user, sign_in

ORIGIN = {"origin": "http://testserver"}


def test_admin_lists_accounts_and_changes_a_role(client: TestClient, db: Session) -> None:
    make_user(db, "root", role="admin")
    make_user(db, "ada")
    make_user(db, "prof", role="instructor")
    sign_in(client, "root")
    page = client.get("/admin")
    assert page.status_code == 200
    names = [
        n for n in ("root", "prof", "ada") if f">{n}<" in page.text or f">{n}</a>" in page.text
    ]
    assert names == ["root", "prof", "ada"]
    assert page.text.index(">root<") < page.text.index(">prof<") < page.text.index(">ada</a>")
    r = client.post(
        "/admin/users/ada/role",
        data={"role": "instructor", "csrf_token": csrf_from(page.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin?changed=ada"
    assert "ada is now instructor." in client.get(r.headers["location"]).text
    db.expire_all()
    user = user_service.get_user_by_username(session=db, username="ada")
    assert user is not None and user.role == "instructor"


def test_the_last_admin_stays_an_admin(client: TestClient, db: Session) -> None:
    make_user(db, "root", role="admin")
    sign_in(client, "root")
    token = csrf_from(client.get("/admin").text)
    r = client.post(
        "/admin/users/root/role", data={"role": "student", "csrf_token": token}, headers=ORIGIN
    )
    assert r.status_code == 422 and "the only admin" in r.text
    r = client.post(
        "/admin/users/nobody/role", data={"role": "student", "csrf_token": token}, headers=ORIGIN
    )
    assert r.status_code == 404
    r = client.post("/admin/users/root/role", data={"role": "student"}, headers=ORIGIN)
    assert r.status_code == 403  # no CSRF token


def test_only_admins_reach_it(client: TestClient, db: Session) -> None:
    make_user(db, "prof", role="instructor")
    sign_in(client, "prof")
    assert client.get("/admin").status_code == 404
    assert "Admin</a>" not in client.get("/problems").text
