"""The instructor pages: the class dashboard (per-problem statistics and a chart), the
student x problem grid, one student's page, and the CSV exports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.api.responses import csv_download
from app.deps import InstructorUser, SessionDep, require_role
from app.services import instructor as instructor_service
from app.web.templating import render
from app.web.views import AttemptView

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
