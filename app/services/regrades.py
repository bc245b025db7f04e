"""Regrades: re-run a problem's past submits against its current version, through the
queue, behind students' live work.

A regrade of an attempt is a new attempt row (``regrade_of`` = the original, the same
user and code, the problem's current version, ``priority`` = PRIORITY_REGRADE) in a
:class:`RegradeBatch`. The original keeps its result; the regrade's is kept beside it, so
an instructor sees what changed (passed -> failed, ...). Regrades are never a student's
own attempts: they do not count as submits, for progress, grades or the rate limits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    ACTIVE_STATUSES,
    PRIORITY_REGRADE,
    REGRADE_SCOPES,
    VERDICT_STATUSES,
    Attempt,
    RegradeBatch,
    User,
    own_submit,
)
from app.services.errors import InvalidInput, NotFound
from app.services.problems import current_version, get_problem

SCOPE_STATUSES = {
    "all": VERDICT_STATUSES,
    "passed": ("passed",),
    "failed": tuple(s for s in VERDICT_STATUSES if s != "passed"),
}


@dataclass(frozen=True)
class BatchReport:
    batch: RegradeBatch
    total: int
    pending: int  # still queued or running
    changed: list[tuple[str, str, int]]  # (was, now, count), changes only, most first
    unchanged: int

    @property
    def done(self) -> bool:
        return self.pending == 0


def request_regrade(*, session: Session, user: User, problem_slug: str, scope: str) -> BatchReport:
    """Queue a regrade of every submit of the problem whose verdict is in ``scope``
    (caller commits). Each original is regraded once per batch, whatever earlier batches
    did; runs, cancelled and unfinished attempts are not regraded."""
    if scope not in REGRADE_SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(REGRADE_SCOPES)}")
    problem = get_problem(session=session, slug=problem_slug, viewer=user)
    version = current_version(session=session, problem=problem)
    originals = session.scalars(
        select(Attempt)
        .where(
            Attempt.problem_id == problem.id,
            own_submit(),
            Attempt.status.in_(SCOPE_STATUSES[scope]),
        )
        .order_by(Attempt.id)
    ).all()
    batch = RegradeBatch(
        problem_id=problem.id,
        problem_version_id=version.id,
        requested_by=user.id,
        scope=scope,
    )
    session.add(batch)
    session.flush()
    for original in originals:
        session.add(
            Attempt(
                user_id=original.user_id,
                problem_id=problem.id,
                problem_version_id=version.id,
                code=original.code,
                mode="submit",
                status="queued",
                regrade_of=original.id,
                regrade_batch_id=batch.id,
                priority=PRIORITY_REGRADE,
            )
        )
    session.flush()
    return batch_report(session=session, batch_id=batch.id)


def batch_report(*, session: Session, batch_id: int) -> BatchReport:
    batch = session.get(RegradeBatch, batch_id)
    if batch is None:
        raise NotFound("No such regrade.")
    regrades = session.scalars(select(Attempt).where(Attempt.regrade_batch_id == batch.id)).all()
    was = {
        a.id: a.status
        for a in session.scalars(
            select(Attempt).where(Attempt.id.in_([r.regrade_of for r in regrades]))
        )
    }
    pending = sum(r.status in ACTIVE_STATUSES for r in regrades)
    moves = Counter(
        (was.get(r.regrade_of or 0, "?"), r.status)
        for r in regrades
        if r.status not in ACTIVE_STATUSES
    )
    changed = sorted(
        ((a, b, n) for (a, b), n in moves.items() if a != b), key=lambda m: (-m[2], m[0], m[1])
    )
    unchanged = sum(n for (a, b), n in moves.items() if a == b)
    return BatchReport(batch, len(regrades), pending, changed, unchanged)


def list_batches(*, session: Session, limit: int = 20) -> list[BatchReport]:
    ids = session.scalars(select(RegradeBatch.id).order_by(RegradeBatch.id.desc()).limit(limit))
    return [batch_report(session=session, batch_id=i) for i in ids]


def regrades_of(*, session: Session, attempt: Attempt) -> list[Attempt]:
    """The regrades of one attempt, newest first (shown beside it)."""
    query = select(Attempt).where(Attempt.regrade_of == attempt.id).order_by(Attempt.id.desc())
    return list(session.scalars(query))
