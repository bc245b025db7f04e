"""The queue protocol, one short transaction per step.

- ``claim_next_attempt``: ONE atomic ``UPDATE ... WHERE id = (SELECT ... LIMIT 1)
  RETURNING``; the subquery is ``FOR UPDATE SKIP LOCKED`` on Postgres, and on SQLite the
  transaction is ``BEGIN IMMEDIATE`` (see ``app.core.db``) so two claims serialise. It takes
  a ``queued`` row or a ``running`` row whose lease expired (its worker died or hung), and
  bumps ``fencing_token`` and ``tries``.
- ``renew_leases``: the heartbeat; a renewal that matches no row means the lease was lost.
- ``complete_attempt`` / ``fail_attempt`` / ``release_attempt``: write only
  ``WHERE id = ? AND status = 'running' AND fencing_token = ?``, so a stale worker's late
  write changes nothing.
- ``expire_exhausted``: a ``running`` row whose lease expired after ``max_tries`` claims is
  finished as ``system_error`` instead of being claimed again.

Times are the workers' clocks (naive UTC); hosts are expected to run NTP, and the lease
(default 60 s) dwarfs ordinary skew. Every step that reads the clock takes an optional
``now`` (naive UTC, default ``utcnow()``) so tests can move time forward instead of
sleeping a lease out; production callers leave it unset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import aliased

from app.core.db import utcnow
from app.models import Attempt, Problem, ProblemVersion
from grader.result import GradeResult

RESUBMIT_MESSAGE = "Your submission could not be graded because of a system error. Please resubmit."


@dataclass(frozen=True)
class Claim:
    """A leased attempt: what the worker needs to grade it and to write the result."""

    attempt_id: int
    token: int  # the fencing token this worker must present
    tries: int
    worker_id: str
    problem_id: int
    problem_slug: str
    code: str
    mode: str
    # The content hash of the problem version the attempt was queued against: the grade
    # must be of that version (grader.errors.ProblemChanged otherwise).
    problem_version: str = ""


def _now(now: datetime | None) -> datetime:
    """``now`` if given (naive UTC, as ``utcnow()`` returns), else the clock."""
    if now is None:
        return utcnow()
    if now.tzinfo is not None:
        raise ValueError("now must be naive UTC, like app.core.db.utcnow()")
    return now


def _system_error_result(tries: int, last_error: str | None = None) -> dict[str, Any]:
    result = GradeResult.system_error(RESUBMIT_MESSAGE)
    doc = result.to_json_dict()
    doc["tries"] = tries
    return doc


def expire_exhausted(*, engine: Engine, max_tries: int, now: datetime | None = None) -> int:
    """Finish as system_error every expired lease that has used up its tries."""
    now = _now(now)
    with engine.begin() as conn:
        rows = conn.execute(
            update(Attempt)
            .where(
                Attempt.status == "running",
                Attempt.lease_expires_at < now,
                Attempt.tries >= max_tries,
            )
            .values(
                status="system_error",
                result=_system_error_result(max_tries),
                score=0.0,
                finished_at=now,
                worker_id=None,
                lease_expires_at=None,
                fencing_token=Attempt.fencing_token + 1,
                last_error="lease expired on the last try (worker died or hung)",
            )
            .returning(Attempt.id)
        ).all()
    return len(rows)


def claim_next_attempt(
    *,
    engine: Engine,
    worker_id: str,
    lease_s: float,
    max_tries: int,
    now: datetime | None = None,
) -> Claim | None:
    """Lease the next claimable attempt, round-robin across users, to ``worker_id``; None
    when there is none."""
    now = _now(now)
    claimable = or_(
        Attempt.status == "queued",
        and_(
            Attempt.status == "running",
            Attempt.lease_expires_at < now,
            Attempt.tries < max_tries,
        ),
    )
    # Fair across users: first the users with the fewest attempts being graded now, then
    # those served longest ago (never served first), then the oldest attempt. One student's
    # flood therefore waits behind every other student's next attempt.
    other = aliased(Attempt)
    # Regrades (priority 1) wait behind every live attempt (priority 0) and count in
    # nobody's share.
    mine = and_(other.user_id == Attempt.user_id, other.regrade_of.is_(None))
    running_now = select(func.count()).where(mine, other.status == "running").scalar_subquery()
    last_served = select(func.max(other.started_at)).where(mine).scalar_subquery()
    pick = (
        select(Attempt.id)
        .where(claimable)
        .order_by(Attempt.priority, running_now, last_served.is_not(None), last_served, Attempt.id)
        .limit(1)
    )
    if engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(Attempt)
        .where(Attempt.id == pick.scalar_subquery())
        .values(
            status="running",
            worker_id=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_s),
            fencing_token=Attempt.fencing_token + 1,
            tries=Attempt.tries + 1,
            started_at=now,
        )
        .returning(
            Attempt.id,
            Attempt.fencing_token,
            Attempt.tries,
            Attempt.problem_id,
            Attempt.problem_version_id,
            Attempt.code,
            Attempt.mode,
        )
    )
    with engine.begin() as conn:
        row = conn.execute(stmt).first()
        if row is None:
            return None
        slug, version = conn.execute(
            select(Problem.slug, ProblemVersion.content_hash)
            .join(ProblemVersion, ProblemVersion.problem_id == Problem.id)
            .where(ProblemVersion.id == row.problem_version_id)
        ).one()
    return Claim(
        attempt_id=row.id,
        token=row.fencing_token,
        tries=row.tries,
        worker_id=worker_id,
        problem_id=row.problem_id,
        problem_slug=slug,
        code=row.code,
        mode=row.mode,
        problem_version=version,
    )


def _held(claim: Claim) -> Any:
    return and_(
        Attempt.id == claim.attempt_id,
        Attempt.status == "running",
        Attempt.fencing_token == claim.token,
    )


def renew_leases(
    *, engine: Engine, claims: list[Claim], lease_s: float, now: datetime | None = None
) -> list[Claim]:
    """Extend the leases of ``claims``; returns those that were lost (fenced off)."""
    if not claims:
        return []
    lost = []
    expires = _now(now) + timedelta(seconds=lease_s)
    with engine.begin() as conn:
        for claim in claims:
            res = conn.execute(update(Attempt).where(_held(claim)).values(lease_expires_at=expires))
            if res.rowcount == 0:
                lost.append(claim)
    return lost


def lost_claims(*, engine: Engine, claims: list[Claim]) -> list[Claim]:
    """Those of ``claims`` this worker no longer holds (cancelled by the owner, or fenced off
    by another worker), without touching any lease: a read, for checks between heartbeats."""
    if not claims:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(Attempt.id, Attempt.status, Attempt.fencing_token).where(
                Attempt.id.in_([c.attempt_id for c in claims])
            )
        ).all()
    current = {row.id: (row.status, row.fencing_token) for row in rows}
    return [c for c in claims if current.get(c.attempt_id) != ("running", c.token)]


def complete_attempt(
    *, engine: Engine, claim: Claim, result: GradeResult, now: datetime | None = None
) -> bool:
    """Store the result if this worker still holds the lease. False: fenced off, ignored."""
    now = _now(now)
    values: dict[str, Any] = {
        "status": result.status,
        "result": result.to_json_dict(),
        "score": result.score,
        "finished_at": now,
        "lease_expires_at": None,
    }
    # The attempt keeps the version it was queued against: the worker graded that one
    # (Grader.grade(version=...)) or ended the attempt saying the problem changed.
    with engine.begin() as conn:
        res = conn.execute(update(Attempt).where(_held(claim)).values(**values))
    return res.rowcount == 1


def fail_attempt(
    *, engine: Engine, claim: Claim, error: str, max_tries: int, now: datetime | None = None
) -> str | None:
    """A platform fault while grading: requeue, or finish as system_error on the last try.

    Returns the new status, or None when the lease was already lost.
    """
    now = _now(now)
    values: dict[str, Any]
    if claim.tries >= max_tries:
        values = {
            "status": "system_error",
            "result": _system_error_result(claim.tries),
            "score": 0.0,
            "finished_at": now,
        }
    else:
        values = {"status": "queued", "worker_id": None}
    values.update(lease_expires_at=None, last_error=error[:4000])
    with engine.begin() as conn:
        res = conn.execute(update(Attempt).where(_held(claim)).values(**values))
    return str(values["status"]) if res.rowcount == 1 else None


def release_attempt(*, engine: Engine, claim: Claim) -> bool:
    """Give a claim back untouched (cold shutdown): queued again, this try not counted."""
    with engine.begin() as conn:
        res = conn.execute(
            update(Attempt)
            .where(_held(claim))
            .values(
                status="queued",
                worker_id=None,
                lease_expires_at=None,
                tries=Attempt.tries - 1,
                last_error="released by a worker shutting down",
            )
        )
    return res.rowcount == 1
