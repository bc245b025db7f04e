"""View models: what the templates read, shaped from service results (no queries here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.models import FINISHED_STATUSES, Attempt


def display_time(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def iso_time(when: datetime | None) -> str:
    return when.isoformat(timespec="seconds") + "Z" if when else ""


@dataclass(frozen=True)
class AttemptView:
    id: int
    mode: str
    status: str
    score: float | None
    code: str
    result: dict[str, Any] | None
    username: str
    problem_slug: str
    problem_title: str
    created_at_iso: str
    created_at_display: str

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptView:
        result = attempt.result if attempt.status in FINISHED_STATUSES else None
        score = attempt.score
        if score is None and result is not None:
            raw = result.get("score")
            score = float(raw) if isinstance(raw, int | float) else None
        return cls(
            id=attempt.id,
            mode=attempt.mode,
            status=attempt.status,
            score=score if attempt.status in FINISHED_STATUSES else None,
            code=attempt.code,
            result=result,
            username=attempt.user.username,
            problem_slug=attempt.problem.slug,
            problem_title=attempt.problem.title,
            created_at_iso=iso_time(attempt.created_at),
            created_at_display=display_time(attempt.created_at),
        )


def result_counts(result: dict[str, Any] | None) -> str:
    """What a result amounts to, in words the verdict cannot contradict:
    "3 of 8 cases · 2 of 2 checks" (checks that could not run are said to be so)."""
    if not result:
        return ""
    cases = [c for c in result.get("cases") or [] if isinstance(c, dict)]
    checks = [c for c in result.get("checks") or [] if isinstance(c, dict)]
    parts = []
    if cases:
        passed = sum(c.get("status") == "passed" for c in cases)
        parts.append(f"{passed} of {len(cases)} case{'s' if len(cases) != 1 else ''}")
    ran = [c for c in checks if c.get("ran", True)]
    if ran:
        ok = sum(bool(c.get("passed")) for c in ran)
        parts.append(f"{ok} of {len(ran)} check{'s' if len(ran) != 1 else ''}")
    elif checks:
        parts.append("checks not run")
    return " · ".join(parts)
