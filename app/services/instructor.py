"""Class-wide views for instructors: per-problem statistics, the student x problem grid,
one student's page, and the CSV exports.

Everything counts **students** only (instructors' and admins' own attempts are practice)
and **submits** only: runs are practice and never make a problem attempted, as in the
problem list (:func:`app.services.problems.list_problems`). A problem is *solved* by a
student with at least one passing submit; *attempts to solve* counts the submits up to
and including the first passing one; *time to solve* runs from the student's first
submit of the problem to that first passing one.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Attempt, HintReveal, Problem, SolutionReveal, User, own_attempt, own_submit
from app.services.errors import NotFound
from grader.spec import SLUG_RE

STUDENT = "student"
# Failure reasons shown per problem.
TOP_REASONS = 3


@dataclass
class _Track:
    """One student's submits of one problem, in order (built once, read by every view)."""

    submits: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    solved_at: datetime | None = None
    submits_to_solve: int | None = None
    best_score: float | None = None
    best_at: datetime | None = None
    last_status: str | None = None

    def add(self, attempt: Attempt) -> None:
        self.submits += 1
        self.first_at = self.first_at or attempt.created_at
        self.last_at = attempt.created_at
        self.last_status = attempt.status
        if attempt.status == "passed" and self.solved_at is None:
            self.solved_at = attempt.created_at
            self.submits_to_solve = self.submits
        score = attempt.score
        if score is not None and (self.best_score is None or score > self.best_score):
            self.best_score, self.best_at = score, attempt.created_at

    @property
    def state(self) -> str:
        return "solved" if self.solved_at is not None else "attempted"


@dataclass(frozen=True)
class ProblemStats:
    problem: Problem
    submissions: int
    students: int  # students with at least one submit
    solved: int  # students with a passing submit
    median_attempts: float | None  # submits to the first pass, over those who solved it
    median_minutes: float | None  # first submit to first pass, over those who solved it
    hints: int  # hints revealed by students
    hint_students: int
    gave_up: int  # students who gave up (and saw the solution)
    reasons: list[tuple[str, int]] = field(default_factory=list)  # most common first

    @property
    def solve_rate(self) -> float | None:
        return self.solved / self.students if self.students else None


@dataclass(frozen=True)
class Cell:
    state: str  # "solved" | "attempted" | "" (no submit)
    submits: int
    best_score: float | None
    last_status: str | None


@dataclass(frozen=True)
class Grid:
    students: list[User]
    problems: list[Problem]
    cells: dict[tuple[int, int], Cell]  # (user id, problem id)

    def cell(self, user: User, problem: Problem) -> Cell:
        return self.cells.get((user.id, problem.id), Cell("", 0, None, None))


@dataclass(frozen=True)
class StudentRow:
    problem: Problem
    cell: Cell
    first_at: datetime | None
    solved_at: datetime | None
    hints: int
    gave_up: bool


@dataclass(frozen=True)
class StudentReport:
    user: User
    rows: list[StudentRow]
    recent: list[Attempt]

    @property
    def solved(self) -> int:
        return sum(r.cell.state == "solved" for r in self.rows)

    @property
    def attempted(self) -> int:
        return sum(r.cell.state != "" for r in self.rows)


# ---------------------------------------------------------------------------- queries


def active_problems(session: Session) -> list[Problem]:
    from app.services.problems import track_rank

    problems = session.scalars(select(Problem).where(Problem.active.is_(True))).all()
    return sorted(problems, key=lambda p: (track_rank(p.track), p.position, p.slug))


def students(session: Session) -> list[User]:
    query = select(User).where(User.role == STUDENT).order_by(User.username)
    return list(session.scalars(query))


def _student_submits(session: Session, user_id: int | None = None) -> Iterable[Attempt]:
    query = (
        select(Attempt)
        .join(User, User.id == Attempt.user_id)
        .where(own_submit(), User.role == STUDENT)
        .order_by(Attempt.created_at, Attempt.id)
    )
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    return session.scalars(query)


def _tracks(attempts: Iterable[Attempt]) -> dict[tuple[int, int], _Track]:
    tracks: dict[tuple[int, int], _Track] = defaultdict(_Track)
    for attempt in attempts:
        tracks[(attempt.user_id, attempt.problem_id)].add(attempt)
    return dict(tracks)


def _cell(track: _Track) -> Cell:
    return Cell(track.state, track.submits, track.best_score, track.last_status)


def failure_reasons(result: dict[str, Any] | None, status: str) -> list[str]:
    """Why one graded submit did not pass, as labels to count: the error's kind, each
    failing check, each failing case (hidden ones by name: instructors may see them)."""
    if status in ("timeout", "memory", "system_error"):
        return [status.replace("_", " ")]
    if not result:
        return []
    reasons: list[str] = []
    error = result.get("error")
    if status == "error" and isinstance(error, dict) and error.get("type"):
        reasons.append(f"error: {error['type']}")
    for check in result.get("checks") or []:
        if isinstance(check, dict) and not check.get("passed") and check.get("ran", True):
            reasons.append(f"check: {check.get('title') or check.get('name')}")
    for case in result.get("cases") or []:
        if isinstance(case, dict) and case.get("status") in ("failed", "error"):
            reasons.append(f"case: {case.get('name')}")
    return reasons


def problem_stats(*, session: Session) -> list[ProblemStats]:
    """Per active problem, over students' submits (see the module docstring)."""
    problems = active_problems(session)
    by_problem: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in _student_submits(session):
        by_problem[attempt.problem_id].append(attempt)
    hints = Counter[int]()
    hint_users: dict[int, set[int]] = defaultdict(set)
    hint_rows = session.execute(
        select(HintReveal.problem_id, HintReveal.user_id)
        .join(User, User.id == HintReveal.user_id)
        .where(User.role == STUDENT)
    )
    for problem_id, user_id in hint_rows:
        hints[problem_id] += 1
        hint_users[problem_id].add(user_id)
    gave_up = Counter[int]()
    give_up_rows = session.execute(
        select(SolutionReveal.problem_id)
        .join(User, User.id == SolutionReveal.user_id)
        .where(User.role == STUDENT, SolutionReveal.gave_up.is_(True))
    )
    for (problem_id,) in give_up_rows:
        gave_up[problem_id] += 1
    out = []
    for problem in problems:
        attempts = by_problem.get(problem.id, [])
        tracks = _tracks(attempts)
        solved = [t for t in tracks.values() if t.solved_at is not None]
        reasons = Counter[str]()
        for attempt in attempts:
            if attempt.status != "passed":
                reasons.update(set(failure_reasons(attempt.result, attempt.status)))
        out.append(
            ProblemStats(
                problem=problem,
                submissions=len(attempts),
                students=len(tracks),
                solved=len(solved),
                median_attempts=_median([t.submits_to_solve for t in solved]),
                median_minutes=_median([_minutes(t.first_at, t.solved_at) for t in solved]),
                hints=hints[problem.id],
                hint_students=len(hint_users[problem.id]),
                gave_up=gave_up[problem.id],
                reasons=sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS],
            )
        )
    return out


def grid(*, session: Session) -> Grid:
    tracks = _tracks(_student_submits(session))
    cells = {key: _cell(track) for key, track in tracks.items()}
    return Grid(students(session), active_problems(session), cells)


def student_report(*, session: Session, username: str) -> StudentReport:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("No such user.")
    tracks = _tracks(_student_submits(session, user.id)) if user.role == STUDENT else {}
    hint_counts = Counter(
        session.scalars(select(HintReveal.problem_id).where(HintReveal.user_id == user.id))
    )
    gave_up = set(
        session.scalars(
            select(SolutionReveal.problem_id).where(
                SolutionReveal.user_id == user.id, SolutionReveal.gave_up.is_(True)
            )
        )
    )
    rows = []
    for problem in active_problems(session):
        track = tracks.get((user.id, problem.id))
        rows.append(
            StudentRow(
                problem=problem,
                cell=_cell(track) if track else Cell("", 0, None, None),
                first_at=track.first_at if track else None,
                solved_at=track.solved_at if track else None,
                hints=hint_counts[problem.id],
                gave_up=problem.id in gave_up,
            )
        )
    recent = session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, own_attempt())
        .order_by(Attempt.id.desc())
        .limit(50)
    )
    return StudentReport(user, rows, list(recent))


def recent_attempts(
    *, session: Session, limit: int = 50, problem_slug: str | None = None
) -> list[Attempt]:
    query = select(Attempt).where(own_attempt()).order_by(Attempt.id.desc()).limit(limit)
    if problem_slug is not None:
        if not SLUG_RE.match(problem_slug):
            return []
        query = query.join(Problem, Problem.id == Attempt.problem_id).where(
            Problem.slug == problem_slug
        )
    return list(session.scalars(query))


# ---------------------------------------------------------------------------- exports

GRADE_COLUMNS = (
    "username",
    "problem",
    "best_score",
    "solved",
    "submits",
    "first_submit_at",
    "best_at",
    "solved_at",
    "last_submit_at",
)
ATTEMPT_COLUMNS = (
    "id",
    "username",
    "problem",
    "problem_version",
    "mode",
    "status",
    "score",
    "created_at",
    "finished_at",
    "regrade_of",
)


def grade_rows(*, session: Session) -> list[dict[str, Any]]:
    """One row per student and active problem they submitted: the best score and when it
    was first reached, in the grid's order (students by name, problems as listed)."""
    tracks = _tracks(_student_submits(session))
    problems = active_problems(session)
    rows = []
    for user in students(session):
        for problem in problems:
            track = tracks.get((user.id, problem.id))
            if track is None:
                continue
            rows.append(
                {
                    "username": user.username,
                    "problem": problem.slug,
                    "best_score": track.best_score,
                    "solved": track.solved_at is not None,
                    "submits": track.submits,
                    "first_submit_at": track.first_at,
                    "best_at": track.best_at,
                    "solved_at": track.solved_at,
                    "last_submit_at": track.last_at,
                }
            )
    return rows


def attempt_rows(*, session: Session) -> list[dict[str, Any]]:
    """Every attempt (runs, submits and regrades, everyone's), oldest first; a regrade
    names the attempt it regrades."""
    query = select(Attempt).order_by(Attempt.id)
    return [
        {
            "id": a.id,
            "username": a.user.username,
            "problem": a.problem.slug,
            "problem_version": a.problem_version.content_hash,
            "mode": a.mode,
            "status": a.status,
            "score": a.score,
            "created_at": a.created_at,
            "finished_at": a.finished_at,
            "regrade_of": a.regrade_of,
        }
        for a in session.scalars(query)
    ]


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """RFC 4180 CSV (CRLF line ends), ISO 8601 UTC times, scores with 4 decimals, booleans
    as true/false, empty for missing values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell_text(row.get(c)) for c in columns])
    return out.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    text = str(value)
    # A cell that a spreadsheet would run as a formula is quoted as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _median(values: Sequence[float | int | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return statistics.median(present) if present else None


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60.0
