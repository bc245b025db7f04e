"""Class-wide views for instructors: progress per problem and recent attempts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from app.models import Attempt, Problem
from grader.spec import SLUG_RE


@dataclass(frozen=True)
class ProblemProgress:
    problem: Problem
    attempted: int  # students with at least one submit (runs are practice, not attempts)
    solved: int  # students with a passing submit
    submissions: int  # submits


def class_progress(*, session: Session) -> list[ProblemProgress]:
    """Per active problem: how many users attempted and solved it."""
    passed = Attempt.status == "passed"
    rows = session.execute(
        select(
            Attempt.problem_id,
            func.count(distinct(Attempt.user_id)),
            func.count(distinct(case((passed, Attempt.user_id)))),
            func.count(Attempt.id),
        )
        .where(Attempt.mode == "submit")
        .group_by(Attempt.problem_id)
    ).all()
    stats = {pid: (a, s, n) for pid, a, s, n in rows}
    problems = session.scalars(
        select(Problem).where(Problem.active.is_(True)).order_by(Problem.position, Problem.slug)
    )
    return [ProblemProgress(p, *stats.get(p.id, (0, 0, 0))) for p in problems]


def recent_attempts(
    *, session: Session, limit: int = 50, problem_slug: str | None = None
) -> list[Attempt]:
    query = select(Attempt).order_by(Attempt.id.desc()).limit(limit)
    if problem_slug is not None:
        if not SLUG_RE.match(problem_slug):
            return []
        query = query.join(Problem, Problem.id == Attempt.problem_id).where(
            Problem.slug == problem_slug
        )
    return list(session.scalars(query))
