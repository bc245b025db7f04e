"""The account page: API tokens (created here, shown once, revocable) and the password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import browser_session
from app.deps import (
    AuthDep,
    CsrfProtected,
    SessionDep,
    SettingsDep,
    StudentUser,
    require_role,
)
from app.services import users as user_service
from app.services.errors import RateLimited, ServiceError
from app.web.templating import render

router = APIRouter(dependencies=[require_role("student")])

PASSWORD_CHANGED = "Password changed. Other devices were signed out."  # noqa: S105
PASSWORDS_DIFFER = "The new password and its confirmation differ."
# Messages shown after a redirect back here, by a fixed key in the query string (never the
# text itself: nothing from the URL reaches the page).
_NOTICES = {"password-changed": ("ok", PASSWORD_CHANGED)}


def _page(
    request: Request,
    session: SessionDep,
    user: StudentUser,
    *,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    tokens = user_service.list_api_tokens(session=session, user=user)
    context = {
        "tokens": tokens,
        "nav": "account",
        "min_password": user_service.MIN_PASSWORD,
        "max_password": user_service.MAX_PASSWORD,
        **extra,
    }
    return render(request, "account/index.html", context, status_code=status_code, no_store=True)


@router.get("/account", name="web_account", response_class=HTMLResponse)
def account(
    request: Request,
    session: SessionDep,
    user: StudentUser,
    done: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    notice = _NOTICES.get(done or "")
    return _page(request, session, user, flashes=[notice] if notice else [])


@router.post(
    "/account/tokens",
    name="web_create_token",
    dependencies=[CsrfProtected],
    response_class=HTMLResponse,
)
def create_token(
    request: Request,
    session: SessionDep,
    user: StudentUser,
    name: Annotated[str, Form(max_length=64)] = "api",
) -> HTMLResponse:
    new = user_service.create_api_token(session=session, user=user, name=name)
    session.commit()
    # Shown in this response only; the page is no-store so it is not cached either.
    shown = {"name": new.record.name, "token": new.token}
    return _page(request, session, user, new_token=shown)


@router.post(
    "/account/tokens/{token_id}/revoke", name="web_revoke_token", dependencies=[CsrfProtected]
)
def revoke_token(token_id: int, session: SessionDep, user: StudentUser) -> RedirectResponse:
    user_service.revoke_api_token(session=session, user=user, token_id=token_id)
    session.commit()
    return RedirectResponse("/account", status_code=303)


@router.post(
    "/account/password",
    name="web_change_password",
    dependencies=[CsrfProtected],
    response_class=HTMLResponse,
)
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StudentUser,
    auth: AuthDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    new_password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change the password, end every session of the user and start a fresh one for this
    browser, so that only the other devices are signed out. API tokens stay valid."""

    def failed(message: str, status_code: int = 400) -> HTMLResponse:
        # The page again with the error next to the form; the password fields are emptied.
        return _page(request, session, user, status_code=status_code, password_error=message)

    if not current_password:
        return failed("Enter your current password.")
    if not new_password:
        return failed("Enter a new password.")
    if new_password != new_password_confirm:
        return failed(PASSWORDS_DIFFER)
    response = RedirectResponse("/account?done=password-changed", status_code=303)
    try:
        browser_session.change_password(
            request=request,
            response=response,
            session=session,
            settings=settings,
            user=user,
            via_cookie=auth.via == "cookie",
            current_password=current_password,
            new_password=new_password,
        )
    except user_service.WrongPassword as exc:
        return failed(exc.message)
    except RateLimited as exc:
        session.rollback()
        limited = failed(exc.message, status_code=429)
        limited.headers["Retry-After"] = str(exc.retry_after)
        return limited
    except ServiceError as exc:
        session.rollback()
        return failed(exc.message)
    return response
