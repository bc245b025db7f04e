"""Attempt pages: one attempt with its code, result and the changes since the previous
attempt; the result block alone, for the problem page to insert after grading."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import SessionDep, StudentUser, require_role
from app.services import attempts as attempt_service
from app.services import problems as problem_service
from app.services import regrades as regrade_service
from app.web.diff import code_diff
from app.web.templating import render, templates
from app.web.views import AttemptView

router = APIRouter()


@router.get(
    "/attempts/{attempt_id}",
    name="web_attempt",
    dependencies=[require_role("student")],
    response_class=HTMLResponse,
)
def attempt_page(
    request: Request, attempt_id: int, session: SessionDep, user: StudentUser
) -> HTMLResponse:
    attempt = attempt_service.get_attempt_for_user(
        session=session, user=user, attempt_id=attempt_id
    )
    view = AttemptView.of(attempt)
    # Same owner and problem as `attempt`, so whoever may see this one may see that one.
    previous = attempt_service.previous_attempt(session=session, attempt=attempt)
    return render(
        request,
        "problems/attempt.html",
        {
            "attempt": view,
            "previous": AttemptView.of(previous) if previous is not None else None,
            "diff": code_diff(previous.code, attempt.code) if previous is not None else None,
            "is_owner": attempt.user_id == user.id,
            # Regrades of this attempt, kept beside it (same owner: same access).
            "regrades": [
                AttemptView.of(r)
                for r in regrade_service.regrades_of(session=session, attempt=attempt)
            ],
            "regrade_of": attempt.regrade_of,
            "nav": "problems",
        },
    )


@router.get(
    "/attempts/{attempt_id}/result",
    name="web_attempt_result",
    dependencies=[require_role("student")],
    response_class=HTMLResponse,
)
def attempt_result_fragment(
    request: Request, attempt_id: int, session: SessionDep, user: StudentUser
) -> HTMLResponse:
    """The result block alone, for the problem page to insert after grading."""
    attempt = attempt_service.get_attempt_for_user(
        session=session, user=user, attempt_id=attempt_id
    )
    view = AttemptView.of(attempt)
    following = None
    if view.status == "passed" and view.mode == "submit" and attempt.user_id == user.id:
        following = problem_service.next_problem(
            session=session, user_id=user.id, after_slug=view.problem_slug
        )
    response = templates.TemplateResponse(
        request,
        "partials/result.html",
        {"attempt": view, "result": view.result, "next_problem": following},
    )
    response.headers["cache-control"] = "no-store"
    return response
