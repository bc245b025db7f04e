"""Class-wide views for instructors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.responses import errors
from app.deps import SessionDep, require_role
from app.schemas import ProblemProgressOut, SubmissionOut
from app.services import instructor as instructor_service

router = APIRouter(
    prefix="/instructor",
    tags=["instructor"],
    dependencies=[require_role("instructor")],
    responses=errors(401, 403),
)


@router.get("/progress", response_model=list[ProblemProgressOut])
def progress(session: SessionDep) -> list[ProblemProgressOut]:
    """Per problem: users who attempted it, users who solved it, submissions."""
    return [
        ProblemProgressOut(
            problem=p.problem.slug,
            title=p.problem.title,
            attempted=p.attempted,
            solved=p.solved,
            submissions=p.submissions,
        )
        for p in instructor_service.class_progress(session=session)
    ]


@router.get("/attempts", response_model=list[SubmissionOut])
def recent_attempts(
    session: SessionDep,
    problem: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SubmissionOut]:
    """The most recent attempts of everyone, newest first."""
    attempts = instructor_service.recent_attempts(
        session=session, limit=limit, problem_slug=problem
    )
    return [SubmissionOut.of(a) for a in attempts]
