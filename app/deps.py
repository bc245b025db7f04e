"""FastAPI dependencies, as ``Annotated`` aliases the routes (API and pages) use.

Authentication: ``Authorization: Bearer <token>`` (API clients) or the session cookie
(browsers). A request authenticated by cookie that changes state (POST, PUT, PATCH,
DELETE) must also pass the CSRF check: a ``csrf_token`` form field or ``X-CSRF-Token``
header equal to ``csrf_token(request)``, and an ``Origin`` (or ``Referer``) naming this
host when the browser sends one.

Authorization: every route declares who may use it with exactly one of ``PUBLIC`` or
``require_role(...)`` in its (router's) ``dependencies``; ``tests/app/test_route_access.py``
walks ``app.routes`` and fails on a route without one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from app.core import cookies, security
from app.core.config import Settings
from app.models import User
from app.services import users as user_service
from app.services.errors import ServiceError

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ROLE_RANK = {"student": 1, "instructor": 2, "admin": 3}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """A session per request; handlers commit explicitly, anything left is rolled back."""
    with request.app.state.sessionmaker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class Auth:
    user: User | None
    via: str | None  # "bearer" | "cookie" | None
    session_hash: str = ""
    token: str | None = None  # the bearer token or cookie value


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _unauthorized(message: str = "Sign in to continue.") -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def get_auth(request: Request, session: SessionDep, settings: SettingsDep) -> Auth:
    """Who is calling. A bad bearer token is a 401 (never a silent fall-back to anonymous);
    a stale cookie is just anonymous."""
    cached = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    auth = Auth(None, None)
    token = _bearer(request)
    if token is not None:
        user = user_service.resolve_api_token(session=session, token=token)
        if user is None:
            raise _unauthorized("Invalid or expired token.")
        auth = Auth(user, "bearer", token=token)
    else:
        cookie = cookies.read_cookie(request, cookies.SESSION_COOKIE)
        if cookie:
            record = user_service.resolve_session(
                session=session, token=cookie, idle_s=settings.session_idle_s
            )
            if record is not None:
                auth = Auth(record.user, "cookie", record.id_hash, cookie)
    if session.dirty:  # last-seen timestamps
        session.commit()
    request.state.auth = auth
    return auth


AuthDep = Annotated[Auth, Depends(get_auth)]


# --- CSRF ----------------------------------------------------------------------------


class CsrfFailed(ServiceError):
    """The form expired; reload the page and try again."""

    status_code = 403
    code = "csrf_failed"


def _csrf_seed(request: Request) -> str:
    seed = getattr(request.state, "csrf_seed", None) or cookies.read_cookie(
        request, cookies.CSRF_COOKIE
    )
    if not seed:
        seed = security.new_secret_token()
        request.state.csrf_seed_new = seed  # the middleware sets the cookie
    request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    """The token to put in a form's hidden ``csrf_token`` field (or an X-CSRF-Token
    header). Bound to the browser's CSRF cookie and to its current session."""
    settings = get_settings(request)
    assert settings.secret_key is not None
    return security.csrf_for(
        settings.secret_key.get_secret_value(), _csrf_seed(request), _session_binding(request)
    )


def _session_binding(request: Request) -> str:
    """What CSRF tokens are bound to: the hash of the session cookie as sent (valid or not),
    so the token does not depend on which dependencies ran before the form was rendered."""
    cookie = cookies.read_cookie(request, cookies.SESSION_COOKIE)
    return security.token_hash(cookie) if cookie else ""


def _origin_ok(request: Request) -> bool:
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None  # "null" origins (sandboxed frames, file://) are refused
    parts = urlsplit(source)
    if parts.netloc.lower() == request.headers.get("host", "").lower():
        return True
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return origin in {o.rstrip("/").lower() for o in get_settings(request).trusted_origins}


async def check_csrf(request: Request, auth: Auth) -> None:
    """Raise 403 unless this unsafe request carries a valid token and a same-site origin."""
    if getattr(request.state, "csrf_ok", False):
        return
    if not _origin_ok(request):
        log.warning("csrf: cross-origin %s %s refused", request.method, request.url.path)
        raise CsrfFailed("Cross-site request refused.")
    sent = request.headers.get("x-csrf-token")
    ctype = request.headers.get("content-type", "")
    if not sent and ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    seed = cookies.read_cookie(request, cookies.CSRF_COOKIE)
    settings = get_settings(request)
    assert settings.secret_key is not None
    if (
        not sent
        or not seed
        or not security.csrf_matches(
            settings.secret_key.get_secret_value(), seed, _session_binding(request), sent
        )
    ):
        log.warning("csrf: bad or missing token on %s %s", request.method, request.url.path)
        raise CsrfFailed()
    request.state.csrf_ok = True


async def verify_csrf(request: Request, auth: AuthDep) -> None:
    """Dependency for every form POST (also anonymous ones: sign in, register). Requests
    with a bearer token carry no ambient credential and skip it."""
    if request.method not in SAFE_METHODS and auth.via != "bearer":
        await check_csrf(request, auth)


CsrfProtected = Depends(verify_csrf)


async def get_optional_user(request: Request, auth: AuthDep) -> User | None:
    if auth.via == "cookie" and request.method not in SAFE_METHODS:
        await check_csrf(request, auth)
    return auth.user


async def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    if user is None:
        raise _unauthorized()
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]


# --- Access declarations ---------------------------------------------------------------


class _Public:
    """Marks a route as open to everyone (signed in or not)."""

    access = "public"

    async def __call__(self, user: OptionalUser) -> User | None:
        return user


class _RoleRequired:
    def __init__(self, role: str):
        if role not in ROLE_RANK:
            raise ValueError(f"unknown role {role!r}")
        self.access = role

    async def __call__(self, request: Request, user: CurrentUser) -> User:
        if ROLE_RANK.get(user.role, 0) < ROLE_RANK[self.access]:
            log.warning(
                "access denied: user=%s role=%s needs %s for %s %s",
                user.username,
                user.role,
                self.access,
                request.method,
                request.url.path,
            )
            # 404, not 403: a student learns nothing about what instructors can reach.
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
        return user

    def __repr__(self) -> str:
        return f"require_role({self.access!r})"


class _Credentials:
    """Marks a public route that takes credentials in its body (sign in, register, token):
    it ignores any session cookie, so a stale session never blocks signing in again."""

    access = "public"

    async def __call__(self) -> None:
        return None


_public = _Public()
_credentials = _Credentials()
_checkers = {role: _RoleRequired(role) for role in ROLE_RANK}

PUBLIC: Any = Depends(_public)
CREDENTIALS: Any = Depends(_credentials)


def require_role(role: str) -> Any:
    """``Depends`` that admits signed-in users of ``role`` or above (student < instructor <
    admin): 401 when signed out, 404 when the role is too low (as if the route did not
    exist)."""
    return Depends(_checkers[role])


StudentUser = Annotated[User, require_role("student")]
InstructorUser = Annotated[User, require_role("instructor")]
AdminUser = Annotated[User, require_role("admin")]


def route_access(dependencies: list[Any]) -> list[str]:
    """The access levels declared by a route's dependencies (for the route-walk test)."""
    return [d.dependency.access for d in dependencies if hasattr(d.dependency, "access")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
