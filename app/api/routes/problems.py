"""Problems: the list, one problem (never hidden cases or the reference), hints, solution."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.responses import errors
from app.deps import PUBLIC, OptionalUser, SessionDep, StudentUser, require_role
from app.schemas import HintsOut, ProblemDetail, ProblemSummary, SolutionOut
from app.services import learning
from app.services import problems as problem_service

router = APIRouter(prefix="/problems", tags=["problems"])


@router.get("", response_model=list[ProblemSummary], dependencies=[PUBLIC], responses=errors())
def list_problems(user: OptionalUser, session: SessionDep) -> list[ProblemSummary]:
    """Every active problem in course order, with the caller's progress when signed in."""
    items = problem_service.list_problems(
        session=session,
        user_id=user.id if user else None,
        include_drafts=problem_service.sees_drafts(user),
    )
    return [ProblemSummary.of(i.problem, i.state if user else None, i.attempts) for i in items]


@router.get("/{slug}", response_model=ProblemDetail, dependencies=[PUBLIC], responses=errors(404))
def get_problem(slug: str, user: OptionalUser, session: SessionDep) -> ProblemDetail:
    """Statement (markdown), starter code, visible examples and the number of hints."""
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    version = problem_service.current_version(session=session, problem=problem)
    if user is None:
        return ProblemDetail.build(problem, version)
    item = problem_service.problem_state(session=session, user_id=user.id, problem=problem)
    return ProblemDetail.build(
        problem,
        version,
        state=item.state,
        attempts=item.attempts,
        hints_revealed=learning.revealed_hints(session=session, user=user, problem=problem),
        solution_available=learning.may_see_solution(
            session=session, user=user, problem=problem
        ).allowed,
    )


@router.post(
    "/{slug}/hints",
    response_model=HintsOut,
    dependencies=[require_role("student")],
    responses=errors(401, 403, 404),
)
def reveal_hint(slug: str, user: StudentUser, session: SessionDep) -> HintsOut:
    """Reveal the next hint (recorded); 404 when none are left."""
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    hints = learning.reveal_next_hint(session=session, user=user, problem=problem)
    total = len(problem_service.current_version(session=session, problem=problem).hints)
    session.commit()
    return HintsOut(hints=hints, remaining=total - len(hints))


@router.post(
    "/{slug}/solution",
    response_model=SolutionOut,
    dependencies=[require_role("student")],
    responses=errors(401, 403, 404),
)
def get_solution(slug: str, user: StudentUser, session: SessionDep) -> SolutionOut:
    """Reveal the reference solution (recorded; a POST because it is): allowed once solved,
    after ``solution_after_attempts`` submits, or after giving up; 403 before."""
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    code = learning.get_solution(session=session, user=user, problem=problem)
    reason = learning.may_see_solution(session=session, user=user, problem=problem).reason
    session.commit()
    return SolutionOut(problem=slug, code=code, reason=reason or "")


@router.post(
    "/{slug}/give-up",
    response_model=SolutionOut,
    dependencies=[require_role("student")],
    responses=errors(401, 403, 404),
)
def give_up(slug: str, user: StudentUser, session: SessionDep) -> SolutionOut:
    """Give up (recorded) and get the solution."""
    problem = problem_service.get_problem(session=session, slug=slug, viewer=user)
    learning.give_up(session=session, user=user, problem=problem)
    code = learning.get_solution(session=session, user=user, problem=problem)
    reason = learning.may_see_solution(session=session, user=user, problem=problem).reason
    session.commit()
    return SolutionOut(problem=slug, code=code, reason=reason or "")
