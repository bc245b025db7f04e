"""Every route declares who may use it, and the declaration holds for anonymous users,
students and instructors (walks ALL routes of the app, pages included)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from app.deps import route_access
from tests.app.conftest import Users

# FastAPI's own documentation routes: public by design.
BUILTIN_PUBLIC = {
    "/openapi.json",
    "/api/docs",
    "/docs/oauth2-redirect",
    "/api/docs/oauth2-redirect",
}
EXPECTED_DENIAL = {
    # declared access -> {caller: expected status when refused}
    "public": {},
    "student": {"anonymous": 401},
    "instructor": {"anonymous": 401, "student": 404},
    "admin": {"anonymous": 401, "student": 404, "instructor": 404},
}


def _routes(app: FastAPI) -> list[tuple[str, set[str], list[str], bool]]:
    out = []
    for rc in iter_route_contexts(app.routes):
        methods = rc.methods
        if not methods:  # mounts (static files)
            continue
        is_api_route = isinstance(rc.original_route, APIRoute)
        deps = list(getattr(rc, "dependencies", None) or [])
        out.append((str(rc.path), set(methods) - {"HEAD"}, route_access(deps), is_api_route))
    return out


def test_every_route_declares_access(app: FastAPI) -> None:
    missing = []
    for path, methods, access, is_api_route in _routes(app):
        if not is_api_route:
            assert path in BUILTIN_PUBLIC, f"unexpected non-API route {path}"
            continue
        if len(access) != 1:
            missing.append(f"{sorted(methods)} {path}: {access or 'no declaration'}")
    assert not missing, "routes without exactly one access declaration:\n" + "\n".join(missing)


def test_access_matches_declaration(client: TestClient, app: FastAPI, users: Users) -> None:
    callers = {
        "anonymous": {},
        "student": users.headers("student1"),
        "instructor": users.headers("teacher1", role="instructor"),
    }
    roles = {"student": "student", "instructor": "instructor"}
    sid = client.post(
        "/api/submissions",
        json={"problem": "cumulative-sum", "code": "x = 1"},
        headers=callers["student"],
    ).json()["id"]
    values = {"slug": "cumulative-sum", "username": "student1", "attempt_id": str(sid)}

    def fill(path: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1).split(":")[0]
            if name in values:
                return values[name]
            if "id" in name:
                return str(sid)
            return "cumulative-sum"

        return re.sub(r"\{([^}]+)\}", sub, path)

    checked = 0
    problems = []
    for path, methods, access, is_api_route in _routes(app):
        if not is_api_route:
            continue
        declared = access[0]
        for method in sorted(methods):
            for caller, headers in callers.items():
                r = client.request(
                    method,
                    fill(path),
                    headers={**headers, "accept": "application/json"},
                    json={} if method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False,
                )
                checked += 1
                denied = EXPECTED_DENIAL[declared].get(caller)
                if denied is not None and r.status_code != denied:
                    problems.append(f"{caller} {method} {path}: {r.status_code}, want {denied}")
                if denied is None and r.status_code in (401, 403):
                    code = r.json().get("code")
                    # Allowed callers may still meet a CSRF check (anonymous form posts) or
                    # a business rule (the solution is locked until solved).
                    csrf = code == "csrf_failed" and caller == "anonymous"
                    locked = code == "forbidden" and path.endswith("/solution")
                    if not (csrf or locked):
                        problems.append(f"{caller} {method} {path}: refused {r.status_code}")
                if "logout" in path and caller != "anonymous":  # that revoked the token
                    callers[caller] = users.headers(f"{caller}{checked}", role=roles[caller])
                assert r.status_code < 500, f"{caller} {method} {path}: {r.status_code}"
    assert checked > 40
    assert not problems, "\n".join(problems)
