"""Credentials and browser sessions for requests, the one place for them: credentials
checked against the sign-in limits, registration against the per-client limit,
server-side session, cookie, sign-out. Used by the pages (``app.web.auth``) and by the
API's sign-in routes; API clients use bearer tokens (``/api/auth/token``).

Usage in a form handler (after the ``CsrfProtected`` dependency)::

    response = RedirectResponse("/", status_code=303)
    user = sign_in(request=request, response=response, session=session, settings=settings,
                   username=form_username, password=form_password)
    if user is None: ...render the form again with BAD_CREDENTIALS...

``sign_in`` raises ``app.services.errors.RateLimited`` (429, has ``retry_after``) after
too many failures, and commits (so failures are counted).
"""

from __future__ import annotations

from typing import Any

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


def _sign_in_limits(request: Request, settings: Settings) -> dict[str, Any]:
    """The client and the limits a password guess is counted against."""
    return {
        "ip": client_ip(request),
        "max_failures": settings.login_max_failures,
        "window_s": settings.login_window_s,
    }


def check_credentials(
    *, request: Request, session: Session, settings: Settings, username: str, password: str
) -> User | None:
    """The user for these credentials or None, counted against the client's and the
    name's sign-in limits (RateLimited past them). The caller commits, even on None."""
    return user_service.authenticate(
        session=session,
        username=username,
        password=password,
        **_sign_in_limits(request, settings),
    )


def change_password(
    *,
    request: Request,
    response: Response,
    session: Session,
    settings: Settings,
    user: User,
    via_cookie: bool,
    current_password: str,
    new_password: str,
) -> None:
    """Change ``user``'s password from a request (commits). A wrong current password is a
    failed sign-in (committed, so it counts; raises WrongPassword, RateLimited past the
    limits). Every session of the user ends; a caller signed in by cookie gets a fresh one
    on ``response``, so only the other devices are signed out. API tokens stay valid."""
    try:
        user_service.change_password(
            session=session,
            user=user,
            current_password=current_password,
            new_password=new_password,
            **_sign_in_limits(request, settings),
        )
    except user_service.WrongPassword:
        session.commit()  # the failed guess counts towards the sign-in limits
        raise
    if via_cookie:  # commits
        start_session(
            request=request, response=response, session=session, settings=settings, user=user
        )
    else:
        session.commit()


def register_account(
    *, request: Request, session: Session, settings: Settings, username: str, password: str
) -> User:
    """A new student account, counted against the client's registration limit. Raises
    InvalidInput, Conflict or RateLimited; the caller commits."""
    return user_service.register_user(
        session=session,
        username=username,
        password=password,
        ip=client_ip(request),
        max_per_window=settings.registrations_per_ip,
        window_s=settings.registration_window_s,
    )


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
    user = check_credentials(
        request=request, session=session, settings=settings, username=username, password=password
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
