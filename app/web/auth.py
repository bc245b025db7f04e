"""Sign up, sign in and sign out (HTML forms with CSRF tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.browser_session import register_account, sign_in, sign_out, start_session
from app.deps import PUBLIC, AuthDep, CsrfProtected, SessionDep, SettingsDep
from app.models import User
from app.services import users as user_service
from app.services.errors import RateLimited, ServiceError
from app.web.templating import render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect (``//evil``, ``https://...``, ``/\\x``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/problems"
    return target


def _signed_in(
    request: Request, session: SessionDep, settings: SettingsDep, user: User, target: str
) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    start_session(request=request, response=response, session=session, settings=settings, user=user)
    return response


@router.get("/login", name="web_login", dependencies=[PUBLIC], response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(
        request, "auth/login.html", {"nav": "login", "next_url": safe_next(next)}, no_store=True
    )


@router.post("/login", dependencies=[PUBLIC, CsrfProtected], response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    context = {"nav": "login", "next_url": safe_next(next), "username": username}
    response = RedirectResponse(safe_next(next), status_code=303)
    try:
        user = sign_in(
            request=request,
            response=response,
            session=session,
            settings=settings,
            username=username,
            password=password,
        )
    except RateLimited as exc:
        session.commit()
        limited = render(
            request, "auth/login.html", {**context, "error": exc.message}, status_code=429
        )
        limited.headers["Retry-After"] = str(exc.retry_after)
        return limited
    if user is None:  # sign_in committed the failure: it counts towards the limit
        error = user_service.BAD_CREDENTIALS
        return render(request, "auth/login.html", {**context, "error": error}, status_code=400)
    return response


@router.get("/register", name="web_register", dependencies=[PUBLIC], response_class=HTMLResponse)
def register_form(
    request: Request,
    settings: SettingsDep,
    next: str | None = None,
) -> HTMLResponse:
    context = {"nav": "register", "closed": not settings.registration_open}
    return render(request, "auth/register.html", {**context, "next_url": safe_next(next)})


@router.post("/register", dependencies=[PUBLIC, CsrfProtected], response_class=HTMLResponse)
def register(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    password2: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    context = {
        "nav": "register",
        "username": username,
        "closed": False,
        "next_url": safe_next(next),
    }
    if not settings.registration_open:
        return render(request, "auth/register.html", {**context, "closed": True}, status_code=403)
    if password != password2:
        error = "The two passwords differ."
        return render(request, "auth/register.html", {**context, "error": error}, status_code=400)
    try:
        user = register_account(
            request=request,
            session=session,
            settings=settings,
            username=username,
            password=password,
        )
    except ServiceError as exc:
        session.rollback()
        return render(
            request,
            "auth/register.html",
            {**context, "error": exc.message},
            status_code=exc.status_code,
        )
    return _signed_in(request, session, settings, user, next)


@router.post("/logout", name="web_logout", dependencies=[PUBLIC, CsrfProtected])
def logout(request: Request, session: SessionDep, auth: AuthDep) -> RedirectResponse:
    response = RedirectResponse("/problems", status_code=303)
    sign_out(request=request, response=response, session=session)
    return response
