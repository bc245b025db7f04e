"""The signed-in user's account: API tokens (the account page creates and revokes them
too) and the password."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app import browser_session
from app.api.responses import errors
from app.deps import AuthDep, SessionDep, SettingsDep, StudentUser, require_role
from app.models import ApiToken
from app.schemas import ApiTokenCreated, ApiTokenIn, ApiTokenOut, PasswordChangeIn
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


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, responses=errors(400, 429))
def change_password(
    body: PasswordChangeIn,
    request: Request,
    user: StudentUser,
    auth: AuthDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Change the caller's password. 400 when ``current_password`` is wrong (such guesses
    count towards the sign-in limits: 429 past them), 422 when the new password is too
    short, too long, too common or the same as the current one.

    Every browser session of the user ends; a caller signed in by cookie gets a fresh
    session (a new cookie in this response), so only the other devices are signed out.
    API tokens stay valid: a bearer client keeps using its token (revoke tokens with
    ``DELETE /api/account/tokens/{id}``)."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    browser_session.change_password(
        request=request,
        response=response,
        session=session,
        settings=settings,
        user=user,
        via_cookie=auth.via == "cookie",
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return response
