"""Problems: sync from the ``problems/`` folders, list with a user's progress, look up.

Sync keeps every content hash ever seen as a ``problem_versions`` row, so an attempt keeps
pointing at the version that graded it after an instructor edits the folder. A problem
whose folder disappears (or fails to load) is marked inactive, never deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.models import Attempt, Problem, ProblemVersion, User, own_submit
from app.services.errors import NotFound
from grader.spec import SLUG_RE, TRACKS, ArrayGen, ArrayLiteral, ProblemError, load_problems
from grader.spec import Problem as ProblemSpecFolder

log = logging.getLogger(__name__)

ProblemState = Literal["solved", "attempted", "new"]


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    errors: list[ProblemError] = field(default_factory=list)


def _preview(value: Any) -> Any:
    """A JSON-friendly description of a case argument (shapes, not random data)."""
    if isinstance(value, ArrayGen):
        return {"shape": list(value.shape), "dtype": value.dtype, "dist": value.dist}
    if isinstance(value, ArrayLiteral):
        return {"value": value.value, "dtype": value.dtype}
    if isinstance(value, dict):
        return {k: _preview(v) for k, v in value.items()}
    return value


def _version_fields(folder: ProblemSpecFolder) -> dict[str, Any]:
    spec = folder.spec
    return {
        "entry_point": spec.entry_point,
        "statement": folder.statement,
        "starter": folder.starter,
        "solution": folder.reference_path.read_text("utf-8"),
        "hints": list(spec.hints),
        "examples": [
            {
                "name": c.name,
                "description": c.description,
                "args": {k: _preview(v) for k, v in c.args.items()},
            }
            for c in spec.cases
            if c.visible
        ],
        "args": [
            {"name": a.name, "static": a.static, "description": a.description} for a in spec.args
        ],
        "solution_after_attempts": spec.solution_after_attempts,
    }


def sync_problems(*, session: Session, problems_dir: Path) -> SyncReport:
    """Make the database match the folders under ``problems_dir`` (idempotent)."""
    folders, errors = load_problems(problems_dir)
    report = SyncReport(errors=errors)
    existing = {p.slug: p for p in session.scalars(select(Problem))}
    for slug, folder in folders.items():
        spec = folder.spec
        problem = existing.get(slug)
        if problem is None:
            problem = Problem(slug=slug, current_hash=folder.content_hash)
            session.add(problem)
            report.added.append(slug)
        elif problem.current_hash != folder.content_hash or not problem.active:
            report.updated.append(slug)
        else:
            report.unchanged.append(slug)
        problem.title = spec.title
        problem.difficulty = spec.difficulty
        problem.summary = spec.summary
        problem.tags = list(spec.tags)
        problem.position = spec.order
        problem.track = spec.track
        problem.prerequisites = list(spec.prerequisites)
        problem.active = True
        problem.draft = spec.draft
        problem.current_hash = folder.content_hash
        problem.updated_at = utcnow()
        session.flush()
        version = session.scalar(
            select(ProblemVersion).where(
                ProblemVersion.problem_id == problem.id,
                ProblemVersion.content_hash == folder.content_hash,
            )
        )
        if version is None:
            session.add(
                ProblemVersion(
                    problem_id=problem.id,
                    content_hash=folder.content_hash,
                    **_version_fields(folder),
                )
            )
    broken = {e.slug for e in errors}
    for slug, problem in existing.items():
        if slug not in folders and problem.active:
            problem.active = False
            report.deactivated.append(slug)
            if slug in broken:
                log.warning("problem %s failed to load and is hidden until fixed", slug)
    session.flush()
    return report


TRACK_TITLES = {
    "jax-core": "JAX core",
    "scan": "lax.scan",
    "flax-linen": "Flax linen",
    "flax-nnx": "Flax NNX",
}


def track_rank(track: str) -> int:
    """Where a track comes in the list (an unknown one, from an old row, last)."""
    return TRACKS.index(track) if track in TRACKS else len(TRACKS)


@dataclass(frozen=True)
class ProblemListItem:
    problem: Problem
    state: ProblemState
    attempts: int


def list_problems(
    *, session: Session, user_id: int | None = None, include_drafts: bool = False
) -> list[ProblemListItem]:
    """Active problems in display order, with the user's state: ``solved`` (a passing
    submit), ``attempted`` (a submit) or ``new``; ``attempts`` counts submits. Runs are
    practice: they never make a problem attempted. The one definition of progress (the
    problem page and the instructor view use it too)."""
    query = select(Problem).where(Problem.active.is_(True))
    if not include_drafts:
        query = query.where(Problem.draft.is_(False))
    problems = sorted(
        session.scalars(query),
        key=lambda p: (track_rank(p.track), p.position, p.slug),
    )
    stats: dict[int, tuple[int, bool]] = {}
    if user_id is not None:
        rows = session.execute(
            select(
                Attempt.problem_id,
                func.count(Attempt.id),
                func.max(case((Attempt.status == "passed", 1), else_=0)),
            )
            .where(Attempt.user_id == user_id, own_submit())
            .group_by(Attempt.problem_id)
        )
        stats = {pid: (int(submits or 0), bool(solved)) for pid, submits, solved in rows}
    out = []
    for p in problems:
        submits, solved = stats.get(p.id, (0, False))
        state: ProblemState = "solved" if solved else ("attempted" if submits else "new")
        out.append(ProblemListItem(problem=p, state=state, attempts=submits))
    return out


DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
STATE_FILTERS: tuple[str, ...] = ("all", "unsolved", "solved", "attempted")


@dataclass(frozen=True)
class DifficultyProgress:
    difficulty: str
    solved: int
    total: int


@dataclass(frozen=True)
class ProgressSummary:
    """Counts over :func:`list_problems` items (never a second definition of progress)."""

    solved: int
    attempted: int
    total: int
    by_difficulty: list[DifficultyProgress]
    continue_with: Problem | None  # first attempted-but-unsolved, else first new

    @property
    def all_solved(self) -> bool:
        return self.total > 0 and self.solved == self.total


def summarize_progress(items: list[ProblemListItem]) -> ProgressSummary:
    """How far a user is through ``items`` (the output of :func:`list_problems`)."""
    difficulties = list(DIFFICULTIES) + sorted(
        {i.problem.difficulty for i in items} - set(DIFFICULTIES)
    )
    by_difficulty = [
        DifficultyProgress(
            difficulty=d,
            solved=sum(1 for i in items if i.problem.difficulty == d and i.state == "solved"),
            total=sum(1 for i in items if i.problem.difficulty == d),
        )
        for d in difficulties
    ]
    attempted = [i for i in items if i.state == "attempted"]
    new = [i for i in items if i.state == "new"]
    unsolved = attempted + new
    return ProgressSummary(
        solved=sum(1 for i in items if i.state == "solved"),
        attempted=len(attempted),
        total=len(items),
        by_difficulty=[d for d in by_difficulty if d.total],
        continue_with=unsolved[0].problem if unsolved else None,
    )


def filter_problems(
    items: list[ProblemListItem], *, state: str | None = None, difficulty: str | None = None
) -> list[ProblemListItem]:
    """``items`` narrowed by a state filter (``unsolved``, ``solved``, ``attempted``) and a
    difficulty; ``None``, ``all`` or an unknown value leaves that dimension unfiltered."""
    wanted: set[str] | None = {
        "unsolved": {"attempted", "new"},
        "solved": {"solved"},
        "attempted": {"attempted"},
    }.get(state or "")
    return [
        i
        for i in items
        if (wanted is None or i.state in wanted)
        and (difficulty not in DIFFICULTIES or i.problem.difficulty == difficulty)
    ]


def next_problem(*, session: Session, user_id: int | None, after_slug: str) -> Problem | None:
    """The first problem after ``after_slug`` in list order that the user has not solved,
    wrapping around to the start; ``None`` if every other problem is solved. An unknown
    ``after_slug`` starts from the top. Anonymous users have solved nothing."""
    return next_unsolved(list_problems(session=session, user_id=user_id), after_slug)


def next_unsolved(items: list[ProblemListItem], after_slug: str) -> Problem | None:
    """:func:`next_problem` over a list the caller already has from :func:`list_problems`."""
    index = next((n for n, i in enumerate(items) if i.problem.slug == after_slug), None)
    ordered = items if index is None else items[index + 1 :] + items[:index]
    return next((i.problem for i in ordered if i.state != "solved"), None)


def problem_state(*, session: Session, user_id: int, problem: Problem) -> ProblemListItem:
    """One problem's state for one user (as in :func:`list_problems`)."""
    for item in list_problems(session=session, user_id=user_id):
        if item.problem.id == problem.id:
            return item
    return ProblemListItem(problem=problem, state="new", attempts=0)


def sees_drafts(viewer: User | None) -> bool:
    """Who may see draft problems (front matter ``draft: true``): instructors and admins."""
    return viewer is not None and viewer.is_instructor


def get_problem(*, session: Session, slug: str, viewer: User | None = None) -> Problem:
    """An active problem by slug, a draft only for an instructor ``viewer``; NotFound
    otherwise (a draft does not exist for students)."""
    if not SLUG_RE.match(slug):
        raise NotFound("No such problem.")
    problem = session.scalar(select(Problem).where(Problem.slug == slug, Problem.active.is_(True)))
    if problem is None or (problem.draft and not sees_drafts(viewer)):
        raise NotFound("No such problem.")
    return problem


def current_version(*, session: Session, problem: Problem) -> ProblemVersion:
    version = session.scalar(
        select(ProblemVersion).where(
            ProblemVersion.problem_id == problem.id,
            ProblemVersion.content_hash == problem.current_hash,
        )
    )
    if version is None:  # sync always writes both; this means a corrupt database
        raise NotFound("This problem has no current version; run the problem sync.")
    return version


def find_version(*, session: Session, problem_id: int, content_hash: str) -> ProblemVersion | None:
    return session.scalar(
        select(ProblemVersion).where(
            ProblemVersion.problem_id == problem_id, ProblemVersion.content_hash == content_hash
        )
    )
