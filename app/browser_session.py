"""Browser sessions, the one place for them: credentials check, server-side session,
cookie, sign-out. Used by the pages (``app.web.auth``) and by ``POST /api/auth/login``;
API clients use bearer tokens instead (``/api/auth/token``).

Usage in a form handler (after the ``CsrfProtected`` dependency)::

    response = RedirectResponse("/", status_code=303)
    user = sign_in(request=request, response=response, session=session, settings=settings,
                   username=form_username, password=form_password)
    if user is None: ...render the form again with BAD_CREDENTIALS...

``sign_in`` raises ``app.services.errors.RateLimited`` (429, has ``retry_after``) after
too many failures, and commits (so failures are counted).
"""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.core import cookies
from app.core.config import Settings
from app.deps import client_ip
from app.models import User
from app.services import users as user_service

BAD_CREDENTIALS = user_service.BAD_CREDENTIALS


def start_session(
    *, request: Request, response: Response, session: Session, settings: Settings, user: User
) -> None:
    """Open a fresh session for ``user`` (ending the browser's previous one) and set the
    cookie on ``response``. Commits."""
    old = cookies.read_cookie(request, cookies.SESSION_COOKIE)
    if old:
        user_service.logout(session=session, token=old)
    new = user_service.create_session(
        session=session,
        user=user,
        max_age_s=settings.session_max_age_s,
        user_agent=request.headers.get("user-agent"),
    )
    session.commit()
    cookies.set_session_cookie(request, response, new.token, settings.session_max_age_s)


def sign_in(
    *,
    request: Request,
    response: Response,
    session: Session,
    settings: Settings,
    username: str,
    password: str,
) -> User | None:
    """Check the credentials; on success start a session (cookie set on ``response``)."""
    user = user_service.authenticate(
        session=session,
        username=username,
        password=password,
        ip=client_ip(request),
        max_failures=settings.login_max_failures,
        window_s=settings.login_window_s,
    )
    session.commit()
    if user is None:
        return None
    start_session(request=request, response=response, session=session, settings=settings, user=user)
    return user


def sign_out(*, request: Request, response: Response, session: Session) -> None:
    """Revoke the browser's session server-side and clear its cookie. Commits."""
    token = cookies.read_cookie(request, cookies.SESSION_COOKIE)
    if token:
        user_service.logout(session=session, token=token)
        session.commit()
    cookies.clear_session_cookie(request, response)
