"""The instructor dashboard: class progress per problem and recent attempts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

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
    progress = instructor_service.class_progress(session=session)
    recent = instructor_service.recent_attempts(session=session, limit=50, problem_slug=problem)
    rows = [
        {
            "slug": p.problem.slug,
            "title": p.problem.title,
            "difficulty": p.problem.difficulty,
            "attempted": p.attempted,
            "solved": p.solved,
            "submissions": p.submissions,
        }
        for p in progress
    ]
    dashboard = {
        "problems": rows,
        "submissions": sum(p.submissions for p in progress),
        "solves": sum(p.solved for p in progress),
        "recent": [AttemptView.of(a) for a in recent],
        "filter": problem,
    }
    return render(
        request, "instructor/dashboard.html", {"dashboard": dashboard, "nav": "instructor"}
    )
