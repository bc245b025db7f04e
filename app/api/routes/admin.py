"""Administration: roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.responses import errors
from app.deps import SessionDep, require_role
from app.schemas import RoleIn, UserOut
from app.services import users as user_service

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[require_role("admin")],
    responses=errors(401, 403, 404),
)


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep) -> list[UserOut]:
    """Every account: admins, then instructors, then students, each by name."""
    return [UserOut.of(u) for u in user_service.list_users(session=session)]


@router.put("/users/{username}/role", response_model=UserOut)
def set_role(
    username: Annotated[str, Path(max_length=64)], body: RoleIn, session: SessionDep
) -> UserOut:
    """Make a user a student, instructor or admin (the last admin stays one: 422)."""
    user = user_service.set_role(session=session, username=username, role=body.role)
    session.commit()
    return UserOut.of(user)
