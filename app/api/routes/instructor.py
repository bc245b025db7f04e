"""Class-wide views for instructors (students' submits only: see app.services.instructor)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.api.responses import CSV_RESPONSE, csv_download, errors
from app.deps import InstructorUser, SessionDep, SettingsDep, require_role
from app.queue.wakeup import wake_local_workers
from app.schemas import (
    GridCellOut,
    ProblemProgressOut,
    ProblemStatsOut,
    RegradeIn,
    RegradeOut,
    StudentGridOut,
    SubmissionOut,
)
from app.services import instructor as instructor_service
from app.services import regrades as regrade_service

router = APIRouter(
    prefix="/instructor",
    tags=["instructor"],
    dependencies=[require_role("instructor")],
    responses=errors(401, 404),
)


@router.get("/progress", response_model=list[ProblemProgressOut])
def progress(session: SessionDep) -> list[ProblemProgressOut]:
    """Per problem: students who attempted it, students who solved it, submissions."""
    keep = set(ProblemProgressOut.model_fields)
    return [ProblemProgressOut(**s.model_dump(include=keep)) for s in stats(session)]


@router.get("/stats", response_model=list[ProblemStatsOut])
def stats(session: SessionDep) -> list[ProblemStatsOut]:
    """Per problem: solve rate, medians, hint and give-up counts, common failures."""
    return [
        ProblemStatsOut(
            problem=s.problem.slug,
            title=s.problem.title,
            attempted=s.students,
            solved=s.solved,
            submissions=s.submissions,
            solve_rate=s.solve_rate,
            median_attempts=s.median_attempts,
            median_minutes=s.median_minutes,
            hints=s.hints,
            hint_students=s.hint_students,
            gave_up=s.gave_up,
            failure_reasons=s.reasons,
        )
        for s in instructor_service.problem_stats(session=session)
    ]


@router.get("/grid", response_model=list[StudentGridOut])
def grid(session: SessionDep) -> list[StudentGridOut]:
    """Every student, with their best state on each problem they submitted."""
    g = instructor_service.grid(session=session)
    out = []
    for student in g.students:
        cells = [
            GridCellOut(
                problem=p.slug,
                state=c.state,
                submits=c.submits,
                best_score=c.best_score,
                last_status=c.last_status,
            )
            for p in g.problems
            if (c := g.cell(student, p)).state
        ]
        solved = sum(c.state == "solved" for c in cells)
        out.append(StudentGridOut(username=student.username, solved=solved, cells=cells))
    return out


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


@router.get("/export/grades.csv", response_class=Response, responses=CSV_RESPONSE)
def export_grades(session: SessionDep) -> Response:
    """Best score per student per problem submitted, with when it was first reached."""
    rows = instructor_service.grade_rows(session=session)
    return csv_download(
        instructor_service.to_csv(rows, instructor_service.GRADE_COLUMNS), "grades.csv"
    )


@router.get("/export/attempts.csv", response_class=Response, responses=CSV_RESPONSE)
def export_attempts(session: SessionDep) -> Response:
    """Every attempt (runs and submits, everyone's), oldest first, without code."""
    rows = instructor_service.attempt_rows(session=session)
    return csv_download(
        instructor_service.to_csv(rows, instructor_service.ATTEMPT_COLUMNS), "attempts.csv"
    )


@router.post("/regrades", response_model=RegradeOut, status_code=202)
def request_regrade(
    body: RegradeIn, session: SessionDep, settings: SettingsDep, user: InstructorUser
) -> RegradeOut:
    """Regrade a problem's submits (all, or those that passed, or failed) against its
    current version, through the queue behind students' live work. The earlier results
    stay; poll ``GET /api/instructor/regrades/{id}`` for what changed."""
    report = regrade_service.request_regrade(
        session=session, user=user, problem_slug=body.problem, scope=body.scope
    )
    session.commit()
    wake_local_workers(settings.data_dir)
    return RegradeOut.of(report)


@router.get("/regrades/{regrade_id}", response_model=RegradeOut)
def regrade(
    regrade_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep
) -> RegradeOut:
    """A regrade's progress and the verdicts it changed."""
    return RegradeOut.of(regrade_service.batch_report(session=session, batch_id=regrade_id))
