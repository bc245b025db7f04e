"""Hints and solutions: revealed one at a time, and every reveal recorded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import HintReveal, Problem, SolutionReveal, User
from app.services.attempts import count_submits, has_solved
from app.services.errors import Forbidden, NotFound
from app.services.problems import current_version


def revealed_hints(*, session: Session, user: User, problem: Problem) -> list[str]:
    """The hints this user has revealed so far, in order."""
    hints = current_version(session=session, problem=problem).hints
    n = (
        session.scalar(
            select(func.count()).where(
                HintReveal.user_id == user.id, HintReveal.problem_id == problem.id
            )
        )
        or 0
    )
    return list(hints[: min(n, len(hints))])


def reveal_next_hint(*, session: Session, user: User, problem: Problem) -> list[str]:
    """Record one more hint as revealed and return all revealed hints.

    NotFound when every hint is already shown (or the problem has none).
    """
    hints = current_version(session=session, problem=problem).hints
    shown = revealed_hints(session=session, user=user, problem=problem)
    if len(shown) >= len(hints):
        raise NotFound("There are no more hints for this problem.")
    session.add(HintReveal(user_id=user.id, problem_id=problem.id, hint_index=len(shown)))
    try:
        session.flush()
    except IntegrityError:  # a double click: the hint is revealed either way
        session.rollback()
    return list(hints[: len(shown) + 1])


@dataclass(frozen=True)
class SolutionAccess:
    allowed: bool
    reason: str | None  # "solved" | "attempts" | "gave_up" | "instructor" | None
    submits: int
    submits_needed: int


def may_see_solution(*, session: Session, user: User, problem: Problem) -> SolutionAccess:
    """Whether the user may see the solution: solved it, or made at least
    ``solution_after_attempts`` submits, or gave up (recorded); instructors always."""
    needed = current_version(session=session, problem=problem).solution_after_attempts
    submits = count_submits(session=session, user_id=user.id, problem_id=problem.id)
    reason: str | None = None
    if user.is_instructor:
        reason = "instructor"
    elif has_solved(session=session, user_id=user.id, problem_id=problem.id):
        reason = "solved"
    elif submits >= needed:
        reason = "attempts"
    elif _reveal(session=session, user=user, problem=problem) is not None:
        reason = "gave_up"
    return SolutionAccess(reason is not None, reason, submits, needed)


def _reveal(*, session: Session, user: User, problem: Problem) -> SolutionReveal | None:
    return session.scalar(
        select(SolutionReveal).where(
            SolutionReveal.user_id == user.id, SolutionReveal.problem_id == problem.id
        )
    )


def give_up(*, session: Session, user: User, problem: Problem) -> None:
    """Record that the user gave up, which unlocks the solution for them."""
    if _reveal(session=session, user=user, problem=problem) is None:
        session.add(
            SolutionReveal(user_id=user.id, problem_id=problem.id, reason="gave_up", gave_up=True)
        )
        session.flush()


def get_solution(*, session: Session, user: User, problem: Problem) -> str:
    """The reference solution if allowed (and record the first reveal); Forbidden if not."""
    access = may_see_solution(session=session, user=user, problem=problem)
    if not access.allowed:
        raise Forbidden(
            f"The solution unlocks after you solve the problem, make {access.submits_needed} "
            "submissions, or give up."
        )
    if (
        access.reason in ("solved", "attempts")
        and _reveal(session=session, user=user, problem=problem) is None
    ):
        session.add(SolutionReveal(user_id=user.id, problem_id=problem.id, reason=access.reason))
        session.flush()
    version = current_version(session=session, problem=problem)
    if not version.solution:
        raise NotFound("This problem has no published solution.")
    return version.solution
