"""The instructor pages: the class dashboard (per-problem statistics and a chart), the
student x problem grid, one student's page, and the CSV exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.api.responses import csv_download
from app.deps import CsrfProtected, InstructorUser, SessionDep, SettingsDep, require_role
from app.models import REGRADE_SCOPES
from app.queue.wakeup import wake_local_workers
from app.services import instructor as instructor_service
from app.services import problems as problem_service
from app.services import regrades as regrade_service
from app.services.errors import ServiceError
from app.web.templating import render
from app.web.views import AttemptView
from grader.reports import load_report

router = APIRouter(dependencies=[require_role("instructor")])


@router.get("/instructor", name="web_instructor", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    user: InstructorUser,
    problem: str | None = None,
) -> HTMLResponse:
    stats = instructor_service.problem_stats(session=session)
    recent = instructor_service.recent_attempts(session=session, limit=50, problem_slug=problem)
    dashboard = {
        "stats": stats,
        "students": len(instructor_service.students(session)),
        "submissions": sum(s.submissions for s in stats),
        "solves": sum(s.solved for s in stats),
        "recent": [AttemptView.of(a) for a in recent],
        "filter": problem,
    }
    return render(
        request, "instructor/dashboard.html", {"dashboard": dashboard, "nav": "instructor"}
    )


@router.get("/instructor/grid", name="web_instructor_grid", response_class=HTMLResponse)
def grid(request: Request, session: SessionDep, user: InstructorUser) -> HTMLResponse:
    return render(
        request,
        "instructor/grid.html",
        {"grid": instructor_service.grid(session=session), "nav": "instructor"},
    )


@router.get(
    "/instructor/students/{username}", name="web_instructor_student", response_class=HTMLResponse
)
def student(
    request: Request, session: SessionDep, user: InstructorUser, username: str
) -> HTMLResponse:
    report = instructor_service.student_report(session=session, username=username)
    return render(
        request,
        "instructor/student.html",
        {
            "report": report,
            "recent": [AttemptView.of(a) for a in report.recent],
            "nav": "instructor",
        },
    )


@router.get("/instructor/export/grades.csv", name="web_export_grades")
def export_grades(session: SessionDep, user: InstructorUser) -> Response:
    rows = instructor_service.grade_rows(session=session)
    return csv_download(
        instructor_service.to_csv(rows, instructor_service.GRADE_COLUMNS), "grades.csv"
    )


@router.get("/instructor/export/attempts.csv", name="web_export_attempts")
def export_attempts(session: SessionDep, user: InstructorUser) -> Response:
    rows = instructor_service.attempt_rows(session=session)
    return csv_download(
        instructor_service.to_csv(rows, instructor_service.ATTEMPT_COLUMNS), "attempts.csv"
    )


@router.get("/instructor/regrades", name="web_regrades", response_class=HTMLResponse)
def regrades(request: Request, session: SessionDep, user: InstructorUser) -> HTMLResponse:
    return _regrades_page(request, session)


def _regrades_page(
    request: Request, session: SessionDep, *, status_code: int = 200, error: str | None = None
) -> HTMLResponse:
    context = {
        "batches": regrade_service.list_batches(session=session),
        "problems": instructor_service.active_problems(session),
        "scopes": REGRADE_SCOPES,
        "flashes": [("error", error)] if error else [],
        "nav": "instructor",
    }
    return render(request, "instructor/regrades.html", context, status_code=status_code)


@router.post(
    "/instructor/regrades",
    name="web_request_regrade",
    dependencies=[CsrfProtected],
    response_class=HTMLResponse,
)
def request_regrade(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: InstructorUser,
    problem: Annotated[str, Form(max_length=64)] = "",
    scope: Annotated[str, Form(max_length=8)] = "all",
) -> Response:
    try:
        regrade_service.request_regrade(
            session=session, user=user, problem_slug=problem, scope=scope
        )
    except ServiceError as exc:
        session.rollback()
        return _regrades_page(request, session, status_code=exc.status_code, error=exc.message)
    session.commit()
    wake_local_workers(settings.data_dir)
    return RedirectResponse("/instructor/regrades", status_code=303)


@router.get(
    "/instructor/problems/{slug}/validation",
    name="web_validation_report",
    response_class=HTMLResponse,
)
def validation_report(
    request: Request, session: SessionDep, settings: SettingsDep, user: InstructorUser, slug: str
) -> HTMLResponse:
    """The last `jaxdojo problems validate` report of a problem (mutants included)."""
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    report = load_report(settings.grader.data_dir, problem.slug)
    context = {
        "problem": problem,
        "report": report,
        "current": report is not None and report.get("version") == problem.current_hash,
        "nav": "instructor",
    }
    return render(request, "instructor/validation.html", context)
