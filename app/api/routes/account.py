"""API tokens of the signed-in user (the account page creates and revokes them)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.responses import errors
from app.deps import SessionDep, StudentUser, require_role
from app.models import ApiToken
from app.schemas import ApiTokenCreated, ApiTokenIn, ApiTokenOut
from app.services import users as user_service

router = APIRouter(
    prefix="/account",
    tags=["account"],
    dependencies=[require_role("student")],
    responses=errors(401, 403),
)


def _out(t: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        expires_at=t.expires_at,
    )


@router.get("/tokens", response_model=list[ApiTokenOut])
def list_tokens(user: StudentUser, session: SessionDep) -> list[ApiTokenOut]:
    """The caller's live API tokens (never their values)."""
    return [_out(t) for t in user_service.list_api_tokens(session=session, user=user)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=ApiTokenCreated)
def create_token(body: ApiTokenIn, user: StudentUser, session: SessionDep) -> ApiTokenCreated:
    """Create an API token; its value is in this response only."""
    new = user_service.create_api_token(session=session, user=user, name=body.name)
    session.commit()
    return ApiTokenCreated(**_out(new.record).model_dump(), token=new.token)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(404))
def revoke_token(token_id: int, user: StudentUser, session: SessionDep) -> Response:
    """Revoke one of the caller's tokens."""
    user_service.revoke_api_token(session=session, user=user, token_id=token_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
