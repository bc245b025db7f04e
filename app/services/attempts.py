"""Submissions: create (with size, rate and queue limits), look up with ownership, list,
the previous one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.models import ACTIVE_STATUSES, CANCELLED, Attempt, User, own_attempt, own_submit
from app.services.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    QueueFull,
    RateLimited,
    valid_id,
)
from app.services.problems import current_version, get_problem


def create_submission(
    *,
    session: Session,
    user: User,
    problem_slug: str,
    code: str,
    mode: str,
    max_code_bytes: int,
    rate_limit: int,
    rate_window_s: int,
    queue_max: int,
    user_active_max: int,
) -> Attempt:
    """Queue an attempt against the problem's current version (caller commits).

    Raises NotFound (no such problem), PayloadTooLarge (code over ``max_code_bytes``),
    RateLimited (more than ``rate_limit`` submissions in ``rate_window_s``, or
    ``user_active_max`` of the user's attempts already queued or running: one student
    cannot fill the queue), QueueFull (``queue_max`` attempts already waiting).
    """
    problem = get_problem(session=session, slug=problem_slug, viewer=user)
    size = len(code.encode("utf-8", "surrogatepass"))
    if size > max_code_bytes:
        raise PayloadTooLarge(f"Your code is {size} bytes; the limit is {max_code_bytes} bytes.")
    now = utcnow()
    since = now - timedelta(seconds=rate_window_s)
    recent = list(
        session.scalars(
            select(Attempt.created_at)
            .where(Attempt.user_id == user.id, own_attempt(), Attempt.created_at >= since)
            .order_by(Attempt.created_at)
        )
    )
    if len(recent) >= rate_limit:
        retry = rate_window_s - (now - recent[0]).total_seconds()
        raise RateLimited(
            f"You can submit {rate_limit} times per {rate_window_s} s; wait a moment.",
            retry_after=int(retry) + 1,
        )
    active = (
        session.scalar(
            select(func.count()).where(
                Attempt.user_id == user.id, own_attempt(), Attempt.status.in_(ACTIVE_STATUSES)
            )
        )
        or 0
    )
    if active >= user_active_max:
        raise RateLimited(
            f"You already have {active} submissions waiting or being graded (the limit is "
            f"{user_active_max}); wait for one to finish.",
            retry_after=2,
        )
    # Regrades wait behind live work, so they never fill the queue for students.
    waiting = (
        session.scalar(select(func.count()).where(Attempt.status == "queued", own_attempt())) or 0
    )
    if waiting >= queue_max:
        raise QueueFull()
    version = current_version(session=session, problem=problem)
    attempt = Attempt(
        user_id=user.id,
        problem_id=problem.id,
        problem_version_id=version.id,
        code=code,
        mode=mode,
        status="queued",
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt


def get_attempt_for_user(*, session: Session, user: User, attempt_id: int) -> Attempt:
    """The attempt if ``user`` owns it or is an instructor; NotFound otherwise (no 403, so
    ids cannot be probed)."""
    attempt = session.get(Attempt, attempt_id) if valid_id(attempt_id) else None
    if attempt is None or (attempt.user_id != user.id and not user.is_instructor):
        raise NotFound("No such submission.")
    return attempt


def previous_attempt(*, session: Session, attempt: Attempt) -> Attempt | None:
    """The same user's attempt on the same problem made just before ``attempt`` (ordered by
    ``created_at``, then ``id``), of either mode; None for the first one. Access is the
    caller's business: it reaches only what ``attempt``'s owner could see anyway."""
    earlier = or_(
        Attempt.created_at < attempt.created_at,
        and_(Attempt.created_at == attempt.created_at, Attempt.id < attempt.id),
    )
    query = (
        select(Attempt)
        .where(
            Attempt.user_id == attempt.user_id,
            own_attempt(),
            Attempt.problem_id == attempt.problem_id,
            Attempt.id != attempt.id,
            earlier,
        )
        .order_by(Attempt.created_at.desc(), Attempt.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def list_attempts(
    *,
    session: Session,
    user: User,
    problem_slug: str | None = None,
    limit: int = 50,
) -> list[Attempt]:
    """The user's own attempts, newest first, optionally for one problem."""
    query = select(Attempt).where(Attempt.user_id == user.id, own_attempt())
    if problem_slug is not None:
        problem = get_problem(session=session, slug=problem_slug, viewer=user)
        query = query.where(Attempt.problem_id == problem.id)
    return list(session.scalars(query.order_by(Attempt.id.desc()).limit(limit)))


def count_submits(*, session: Session, user_id: int, problem_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Attempt.user_id == user_id,
                Attempt.problem_id == problem_id,
                own_submit(),
            )
        )
        or 0
    )


def has_solved(*, session: Session, user_id: int, problem_id: int) -> bool:
    return (
        session.scalar(
            select(Attempt.id)
            .where(
                Attempt.user_id == user_id,
                Attempt.problem_id == problem_id,
                own_submit(),
                Attempt.status == "passed",
            )
            .limit(1)
        )
        is not None
    )


def cancel_attempt(*, session: Session, user: User, attempt_id: int) -> Attempt:
    """End the user's own queued or running attempt as ``cancelled`` (caller commits).

    The fencing token is bumped in the same UPDATE, so a worker grading it can no longer
    write a verdict (its late write matches no row) and the attempt is never claimed again;
    the worker notices the lost lease and kills the run. NotFound unless it is the user's
    own (instructors cannot cancel students' work); Conflict once it has a verdict.
    """
    attempt = session.get(Attempt, attempt_id) if valid_id(attempt_id) else None
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("No such submission.")
    res = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status.in_(ACTIVE_STATUSES))
        .values(
            status=CANCELLED,
            finished_at=utcnow(),
            lease_expires_at=None,
            fencing_token=Attempt.fencing_token + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This submission already has a verdict; there is nothing to cancel.")
    return attempt
