"""Registration, bearer tokens (OAuth2 password flow), the current user, sign-out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response, status

from app import browser_session as browser_auth
from app.api.responses import errors
from app.core import cookies
from app.core.db import utcnow
from app.deps import (
    CREDENTIALS,
    PUBLIC,
    AuthDep,
    SessionDep,
    SettingsDep,
    StudentUser,
    csrf_token,
    require_role,
)
from app.schemas import CsrfOut, LoginIn, RegisterIn, TokenOut, UserOut
from app.services import users as user_service

router = APIRouter(prefix="/auth", tags=["auth"])

TOKEN_LIFETIME = timedelta(days=30)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    dependencies=[CREDENTIALS],
    responses=errors(403, 409, 429),
)
def register(
    request: Request, body: RegisterIn, session: SessionDep, settings: SettingsDep
) -> UserOut:
    """Create a student account. 409 when the name is taken, 422 when it is invalid, 429
    when this client created too many accounts lately."""
    if not settings.registration_open:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Registration is closed.")
    user = browser_auth.register_account(
        request=request,
        session=session,
        settings=settings,
        username=body.username,
        password=body.password,
    )
    session.commit()
    return UserOut.of(user)


@router.post(
    "/token", response_model=TokenOut, dependencies=[CREDENTIALS], responses=errors(401, 429)
)
def token(
    request: Request,
    username: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=1024)],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut:
    """Exchange a username and password (OAuth2 password form) for a bearer token valid
    30 days. The same 401 for an unknown user and a wrong password; 429 after repeated
    failures."""
    user = browser_auth.check_credentials(
        request=request, session=session, settings=settings, username=username, password=password
    )
    if user is None:
        session.commit()  # count the failure
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            user_service.BAD_CREDENTIALS,
            headers={"WWW-Authenticate": "Bearer"},
        )
    new = user_service.create_api_token(
        session=session, user=user, name="password grant", expires_at=utcnow() + TOKEN_LIFETIME
    )
    session.commit()
    return TokenOut(access_token=new.token)


@router.post(
    "/login",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[CREDENTIALS],
    responses=errors(401, 429),
)
def login(body: LoginIn, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Sign in a browser: sets the session cookie (HttpOnly, SameSite=Lax, Secure with the
    ``__Host-`` prefix over HTTPS). JavaScript clients then send ``X-CSRF-Token``."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    user = browser_auth.sign_in(
        request=request,
        response=response,
        session=session,
        settings=settings,
        username=body.username,
        password=body.password,
    )
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, user_service.BAD_CREDENTIALS)
    return response


@router.get("/csrf", response_model=CsrfOut, dependencies=[PUBLIC], responses=errors())
def csrf(request: Request, auth: AuthDep) -> CsrfOut:
    """The CSRF token for this browser, to send as ``X-CSRF-Token`` with cookie-authenticated
    POST/PUT/DELETE requests (pages put the same token in their forms)."""
    return CsrfOut(csrf_token=csrf_token(request))


@router.get(
    "/me", response_model=UserOut, dependencies=[require_role("student")], responses=errors(401)
)
def me(user: StudentUser) -> UserOut:
    """The signed-in user."""
    return UserOut.of(user)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, dependencies=[PUBLIC], responses=errors()
)
def logout(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    """End the current session (cookie) or revoke the bearer token in use."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if auth.via == "cookie" and auth.token:
        user_service.logout(session=session, token=auth.token)
        cookies.clear_session_cookie(request, response)
    elif auth.via == "bearer" and auth.token:
        user_service.revoke_bearer(session=session, token=auth.token)
    session.commit()
    return response
