"""Problem pages: the list, a problem with its editor, hints, the solution, attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from app.deps import PUBLIC, CsrfProtected, OptionalUser, SessionDep, StudentUser, require_role
from app.markdown import render_markdown
from app.models import User
from app.services import attempts as attempt_service
from app.services import learning
from app.services import problems as problem_service
from app.services.errors import NotFound
from app.web.templating import render
from app.web.views import AttemptView

router = APIRouter()


@dataclass(frozen=True)
class ProblemPage:
    slug: str
    title: str
    difficulty: str
    tags: list[str]
    state: str | None
    entry_point: str
    draft: bool
    statement_html: Markup
    hints: list[Markup]
    hints_total: int
    solution_code: str | None
    solution_after_attempts: int
    submit_count: int


def _without_title(statement: str) -> str:
    """Drop a leading ``# Title`` line: the page shows the title from the front matter."""
    lines = statement.lstrip().splitlines()
    if lines and lines[0].startswith("# "):
        return "\n".join(lines[1:])
    return statement


@router.get("/", name="web_home", dependencies=[PUBLIC], include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/problems", status_code=303)


@router.head("/", dependencies=[PUBLIC], include_in_schema=False)
def home_head() -> Response:
    """``HEAD /`` for load balancers and uptime checks: 200 while the web process serves
    (``GET /api/health`` also checks the database)."""
    return Response(status_code=200)


@router.get("/problems", name="web_problems", dependencies=[PUBLIC], response_class=HTMLResponse)
def problem_list(request: Request, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    items = problem_service.list_problems(
        session=session,
        user_id=user.id if user else None,
        include_drafts=problem_service.sees_drafts(user),
    )
    # Query filters work without JavaScript; unknown values fall back to "all".
    state = request.query_params.get("state", "all")
    if user is None or state not in problem_service.STATE_FILTERS:
        state = "all"
    difficulty = request.query_params.get("difficulty", "all")
    if difficulty not in problem_service.DIFFICULTIES:
        difficulty = "all"
    shown = problem_service.filter_problems(items, state=state, difficulty=difficulty)
    problems = [
        {
            "slug": i.problem.slug,
            "title": i.problem.title,
            "difficulty": i.problem.difficulty,
            "summary": i.problem.summary,
            "tags": list(i.problem.tags or []),
            "state": i.state if user else None,
            "track": i.problem.track,
            "draft": i.problem.draft,
        }
        for i in shown
    ]
    # Grouped by track (the list's order already is), each with the user's progress in it.
    tracks = []
    for track in dict.fromkeys(i.problem.track for i in items):
        in_track = [i for i in items if i.problem.track == track]
        tracks.append(
            {
                "track": track,
                "title": problem_service.TRACK_TITLES.get(track, track),
                "problems": [p for p in problems if p["track"] == track],
                "solved": sum(1 for i in in_track if i.state == "solved"),
                "total": len(in_track),
            }
        )
    context = {
        "problems": problems,
        "tracks": [t for t in tracks if t["problems"]],
        "total_problems": len(items),
        "progress": problem_service.summarize_progress(items) if user else None,
        "filters": {"state": state, "difficulty": difficulty},
        "state_filters": problem_service.STATE_FILTERS,
        "difficulties": problem_service.DIFFICULTIES,
        "nav": "problems",
    }
    return render(request, "problems/list.html", context)


@router.get(
    "/problems/{slug}", name="web_problem", dependencies=[PUBLIC], response_class=HTMLResponse
)
def problem_detail(
    request: Request, slug: str, session: SessionDep, user: OptionalUser
) -> HTMLResponse:
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    version = problem_service.current_version(session=session, problem=problem)
    hints: list[str] = []
    solution: str | None = None
    submits = 0
    history: list[AttemptView] = []
    # The list (with the user's progress) gives this problem's state, its neighbours and
    # the next unsolved one: computed once.
    items = problem_service.list_problems(
        session=session,
        user_id=user.id if user else None,
        include_drafts=problem_service.sees_drafts(user),
    )
    mine = next((i for i in items if i.problem.id == problem.id), None)
    state = mine.state if user is not None and mine is not None and mine.state != "new" else None
    if user is not None:
        hints = learning.revealed_hints(session=session, user=user, problem=problem)
        access = learning.may_see_solution(session=session, user=user, problem=problem)
        submits = access.submits
        if access.allowed:
            # Read, not learning.get_solution(): that records a reveal, and a GET must not
            # change state. Giving up (a POST) is what records one.
            solution = version.solution or None
        history = [
            AttemptView.of(a)
            for a in attempt_service.list_attempts(
                session=session, user=user, problem_slug=slug, limit=50
            )
        ]
    page = ProblemPage(
        slug=problem.slug,
        title=problem.title,
        difficulty=problem.difficulty,
        tags=list(problem.tags or []),
        state=state,
        entry_point=version.entry_point,
        draft=problem.draft,
        statement_html=render_markdown(_without_title(version.statement)),
        hints=[render_markdown(h) for h in hints],
        hints_total=len(version.hints or []),
        solution_code=solution,
        solution_after_attempts=version.solution_after_attempts,
        submit_count=submits,
    )
    loaded = _attempt_to_load(request, session, user, problem.id)
    initial_code = loaded.code if loaded else history[0].code if history else version.starter
    last_attempt = next((a for a in history if a.finished), None)
    pending = history[0].id if history and not history[0].finished else None
    # Neighbours in the list's order, and the prerequisites (advice, never a lock).
    following = problem_service.next_unsolved(items, problem.slug) if user is not None else None
    slugs = [i.problem.slug for i in items]
    here = slugs.index(problem.slug) if problem.slug in slugs else None
    neighbours = {
        "previous": items[here - 1].problem if here else None,
        "next": items[here + 1].problem if here is not None and here + 1 < len(items) else None,
    }
    by_slug = {i.problem.slug: i for i in items}
    prerequisites = [
        {"slug": s, "title": by_slug[s].problem.title, "solved": by_slug[s].state == "solved"}
        for s in (problem.prerequisites or [])
        if s in by_slug
    ]
    page_data: dict[str, Any] = {
        "slug": problem.slug,
        "starter": version.starter,
        "initialCode": initial_code,
        "loaded": loaded.id if loaded else None,  # the editor takes it over the draft
        "signedIn": user is not None,
        "draftKey": f"jaxdojo:draft:{user.username if user else '-'}:{problem.slug}",
        "submitUrl": "/api/submissions",
        "pollUrl": "/api/submissions/__ID__",
        "eventsUrl": "/api/submissions/__ID__/events",
        "cancelUrl": "/api/submissions/__ID__/cancel",
        "resultUrl": "/attempts/__ID__/result",
        "pendingId": pending,
        "pendingMode": history[0].mode if pending else None,
    }
    return render(
        request,
        "problems/detail.html",
        {
            "problem": page,
            "submissions": [a for a in history if a.mode == "submit"],
            "runs": [a for a in history if a.mode == "run"],
            "last_attempt": last_attempt,
            "next_problem": following,
            "neighbours": neighbours,
            "prerequisites": prerequisites,
            "track_title": problem_service.TRACK_TITLES.get(problem.track, problem.track),
            "initial_code": initial_code,
            "page_data": page_data,
            "open_solution": request.query_params.get("solution") == "1",
            "nav": "problems",
            "next_url": request.url.path,
        },
    )


def _attempt_to_load(
    request: Request, session: SessionDep, user: User | None, problem_id: int
) -> AttemptView | None:
    """``?load=<id>``: one of the user's own attempts on this problem, for the editor
    (the attempt page links here). Anything else is ignored: the page opens as usual."""
    raw = request.query_params.get("load", "")
    if user is None or not raw.isdigit() or len(raw) > 12:
        return None
    try:
        attempt = attempt_service.get_attempt_for_user(
            session=session, user=user, attempt_id=int(raw)
        )
    except NotFound:
        return None
    if attempt.user_id != user.id or attempt.problem_id != problem_id:
        return None
    return AttemptView.of(attempt)


@router.post(
    "/problems/{slug}/hints",
    name="web_reveal_hint",
    dependencies=[require_role("student"), CsrfProtected],
)
def reveal_hint(slug: str, session: SessionDep, user: StudentUser) -> RedirectResponse:
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    try:
        learning.reveal_next_hint(session=session, user=user, problem=problem)
        session.commit()
    except NotFound:
        pass  # every hint is already shown: the page says so
    return RedirectResponse(f"/problems/{problem.slug}#hints", status_code=303)


@router.post(
    "/problems/{slug}/give-up",
    name="web_give_up",
    dependencies=[require_role("student"), CsrfProtected],
)
def give_up(slug: str, session: SessionDep, user: StudentUser) -> RedirectResponse:
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    learning.give_up(session=session, user=user, problem=problem)
    session.commit()
    return RedirectResponse(f"/problems/{problem.slug}?solution=1#solution", status_code=303)
