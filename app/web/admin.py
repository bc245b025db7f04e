"""The admin page: every account, and its role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import AdminUser, CsrfProtected, SessionDep, require_role
from app.models import ROLES
from app.services import users as user_service
from app.services.errors import ServiceError
from app.web.templating import render

router = APIRouter(dependencies=[require_role("admin")])


def _page(
    request: Request, session: SessionDep, *, status_code: int = 200, **extra: object
) -> HTMLResponse:
    users = user_service.list_users(session=session)
    context = {"users": users, "roles": ROLES, "nav": "admin", **extra}
    return render(request, "admin/users.html", context, status_code=status_code)


@router.get("/admin", name="web_admin", response_class=HTMLResponse)
def users(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    changed: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    # Which user changed comes back in the query string; it is only looked up, never echoed.
    match = user_service.get_user_by_username(session=session, username=changed or "")
    flashes = [("ok", f"{match.username} is now {match.role}.")] if match else []
    return _page(request, session, flashes=flashes)


@router.post(
    "/admin/users/{username}/role",
    name="web_admin_set_role",
    dependencies=[CsrfProtected],
    response_class=HTMLResponse,
)
def set_role(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    username: str,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        changed = user_service.set_role(session=session, username=username, role=role)
    except ServiceError as exc:
        session.rollback()
        return _page(
            request, session, status_code=exc.status_code, flashes=[("error", exc.message)]
        )
    session.commit()
    return RedirectResponse(f"/admin?changed={changed.username}", status_code=303)
