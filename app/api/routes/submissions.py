"""Submissions: queue one (202), poll it, list your own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.responses import errors
from app.deps import SessionDep, SettingsDep, StudentUser, require_role
from app.queue.wakeup import notify_in_transaction, wake_local_workers
from app.schemas import SubmissionDetail, SubmissionIn, SubmissionOut
from app.services import attempts as attempt_service

router = APIRouter(
    prefix="/submissions",
    tags=["submissions"],
    dependencies=[require_role("student")],
    responses=errors(401, 403),
)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionOut,
    responses=errors(404, 413, 429),
)
def create_submission(
    body: SubmissionIn, user: StudentUser, session: SessionDep, settings: SettingsDep
) -> SubmissionOut:
    """Queue code for grading; poll ``GET /api/submissions/{id}`` for the result.

    ``mode: run`` checks the visible examples, ``submit`` every case. 413 when the code is
    too large, 429 (with Retry-After) when submitting too fast, 503 when the queue is full.
    """
    attempt = attempt_service.create_submission(
        session=session,
        user=user,
        problem_slug=body.problem,
        code=body.code,
        mode=body.mode,
        max_code_bytes=settings.max_code_bytes,
        rate_limit=settings.submit_rate_limit,
        rate_window_s=settings.submit_rate_window_s,
        queue_max=settings.queue_max,
        user_active_max=settings.user_active_max,
    )
    notify_in_transaction(session)
    session.commit()
    wake_local_workers(settings.data_dir)  # idle workers claim it now, not at their next poll
    return SubmissionOut.of(attempt)


@router.get("", response_model=list[SubmissionOut], responses=errors(404))
def list_submissions(
    user: StudentUser,
    session: SessionDep,
    problem: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SubmissionOut]:
    """The caller's own submissions, newest first (optionally for one problem)."""
    attempts = attempt_service.list_attempts(
        session=session, user=user, problem_slug=problem, limit=limit
    )
    return [SubmissionOut.of(a) for a in attempts]


@router.get("/{attempt_id}", response_model=SubmissionDetail, responses=errors(404))
def get_submission(attempt_id: int, user: StudentUser, session: SessionDep) -> SubmissionDetail:
    """One submission with its code and result; 404 unless it is yours (or you teach)."""
    attempt = attempt_service.get_attempt_for_user(
        session=session, user=user, attempt_id=attempt_id
    )
    return SubmissionDetail.of(attempt)
