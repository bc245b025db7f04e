"""Database tables (SQLAlchemy 2 declarative). Alembic migrations in ``app/migrations``
create exactly this schema on SQLite and Postgres (a test compares them).

Times are naive UTC (``app.core.db.utcnow``). Secrets are never stored: sessions and API
tokens keep a SHA-256 of a 256-bit random value, passwords an argon2id hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql import false as sa_false

from app.core.db import utcnow
from grader.result import Status

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("student", "instructor", "admin")
MODES = ("run", "submit")
# The one list of attempt states: queued -> running -> a verdict (grader.result.Status),
# or cancelled by its owner before a verdict. Everything else derives from these.
ACTIVE_STATUSES = ("queued", "running")
VERDICT_STATUSES: tuple[str, ...] = get_args(Status)
CANCELLED = "cancelled"
FINISHED_STATUSES = frozenset((*VERDICT_STATUSES, CANCELLED))
ATTEMPT_STATUSES = (*ACTIVE_STATUSES, *VERDICT_STATUSES, CANCELLED)


# What a regrade re-runs (cancelled and still-active attempts have no verdict to compare).
REGRADE_SCOPES = ("all", "passed", "failed")
# Live work first: a student's attempt is claimed before any regrade.
PRIORITY_LIVE, PRIORITY_REGRADE = 0, 1


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="student")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_instructor(self) -> bool:
        return self.role in ("instructor", "admin")


class UserSession(Base):
    """A browser session. ``id_hash`` is SHA-256 of the cookie value."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for API clients. ``token_hash`` is SHA-256 of the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Failed and successful sign-ins, for rate limiting across web processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_created", "username", "created_at"),
        Index("ix_login_attempts_ip_created", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Registration(Base):
    """When and from where an account was created, for the per-client registration limit."""

    __tablename__ = "registrations"
    __table_args__ = (Index("ix_registrations_ip_created", "ip", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Problem(Base):
    """A problem folder, synced from disk. ``current_hash`` names the live version."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    difficulty: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(300), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=100)  # within its track
    track: Mapped[str] = mapped_column(String(16), default="scan", server_default="scan")
    prerequisites: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A draft is shown to instructors only (front matter `draft: true`).
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    current_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProblemVersion(Base):
    """One content hash of a problem; kept forever so attempts name what graded them."""

    __tablename__ = "problem_versions"
    __table_args__ = (UniqueConstraint("problem_id", "content_hash", name="problem_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    entry_point: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    starter: Mapped[str] = mapped_column(Text)
    solution: Mapped[str] = mapped_column(Text, doc="reference solution, shown when allowed")
    hints: Mapped[list[str]] = mapped_column(JSON, default=list)
    examples: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    args: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    solution_after_attempts: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    problem: Mapped[Problem] = relationship(lazy="joined")


class Attempt(Base):
    """One submission and, once graded, its result: also the queue's job row.

    The queue protocol: a worker claims a ``queued`` row (or a ``running`` one whose lease
    expired), bumping ``fencing_token`` and ``tries``; it renews ``lease_expires_at`` while
    grading and writes the result only ``WHERE fencing_token = <its token>``.
    """

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(_in("mode", MODES), name="mode"),
        CheckConstraint(_in("status", ATTEMPT_STATUSES), name="status"),
        Index("ix_attempts_status_id", "status", "id"),
        Index("ix_attempts_user_problem", "user_id", "problem_id"),
        Index("ix_attempts_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    problem_version_id: Mapped[int] = mapped_column(
        ForeignKey("problem_versions.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    worker_id: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    fencing_token: Mapped[int] = mapped_column(Integer, default=0)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A regrade is a queued copy of an earlier submit (its code, the problem's current
    # version), kept beside it: never one of the student's own attempts or submits.
    regrade_of: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    regrade_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("regrade_batches.id", ondelete="CASCADE"), index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=PRIORITY_LIVE, server_default="0")

    user: Mapped[User] = relationship(lazy="joined")
    problem: Mapped[Problem] = relationship(lazy="joined")
    problem_version: Mapped[ProblemVersion] = relationship(lazy="select")


def own_submit() -> Any:
    """The clause of a student's own submit: the attempts that count for progress, grades
    and the class view (not runs, which are practice, and not regrades)."""
    return and_(Attempt.mode == "submit", Attempt.regrade_of.is_(None))


def own_attempt() -> Any:
    """A student's own attempt, run or submit (not a regrade)."""
    return Attempt.regrade_of.is_(None)


class RegradeBatch(Base):
    """One instructor's request to regrade a problem's submits (all, passed or failed)."""

    __tablename__ = "regrade_batches"
    __table_args__ = (CheckConstraint(_in("scope", REGRADE_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    problem_version_id: Mapped[int] = mapped_column(
        ForeignKey("problem_versions.id", ondelete="RESTRICT")
    )
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scope: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    problem: Mapped[Problem] = relationship(lazy="joined")
    problem_version: Mapped[ProblemVersion] = relationship(lazy="joined")


class HintReveal(Base):
    __tablename__ = "hint_reveals"
    __table_args__ = (
        UniqueConstraint("user_id", "problem_id", "hint_index", name="user_problem_hint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    hint_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SolutionReveal(Base):
    """The first time a user saw a problem's solution, and why (solved/attempts/gave_up)."""

    __tablename__ = "solution_reveals"
    __table_args__ = (
        UniqueConstraint("user_id", "problem_id", name="user_problem"),
        CheckConstraint(_in("reason", ("solved", "attempts", "gave_up")), name="reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    gave_up: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
