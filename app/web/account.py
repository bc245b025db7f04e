"""The account page: API tokens (created here, shown once, revocable)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CsrfProtected, SessionDep, StudentUser, require_role
from app.services import users as user_service
from app.web.templating import render

router = APIRouter(dependencies=[require_role("student")])


def _page(request: Request, session: SessionDep, user: StudentUser, **extra: Any) -> HTMLResponse:
    tokens = user_service.list_api_tokens(session=session, user=user)
    context = {"tokens": tokens, "nav": "account", **extra}
    return render(request, "account/index.html", context, no_store=True)


@router.get("/account", name="web_account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, user: StudentUser) -> HTMLResponse:
    return _page(request, session, user)


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
