"""The versioned result document: one home for the schema that the worker writes,
the database stores, the API returns and the pages render.

Schema 1 (see shared DESIGN.md, "Public contracts")::

    {"schema": 1, "status": ..., "score": 0..1, "cases": [...], "checks": [...],
     "stdout": "...", "timings": {...}, "isolation": {...}, ...}

Hidden cases carry only ``name``, ``hidden`` and ``status``: the constructors below make
it impossible to attach inputs, expected values, diffs or per-case times to them.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Status = Literal["passed", "failed", "error", "timeout", "memory", "system_error"]
CaseStatus = Literal["passed", "failed", "error"]
Mode = Literal["run", "submit"]

TERMINAL_STATUSES: frozenset[str] = frozenset(get_args(Status))


class Divergence(BaseModel):
    """Where a visible case's output first differs from the reference."""

    leaf: str = Field(description="path of the output leaf, e.g. 'output[1]' or 'output'")
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    worst_index: list[int] | None = None
    first_bad_step: int | None = Field(None, description="first index along axis 0 that fails")


class CaseResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    hidden: bool
    status: CaseStatus
    message: str | None = None
    inputs: str | None = Field(None, description="short preview, visible cases only")
    expected: str | None = None
    got: str | None = None
    divergence: Divergence | None = None
    time_ms: float | None = None

    @classmethod
    def hidden_case(cls, name: str, status: CaseStatus) -> CaseResult:
        return cls(name=name, hidden=True, status=status)


class CheckResult(BaseModel):
    """A structural check on the student's exported programs (uses scan, not unrolled,
    forbidden operations)."""

    name: str = Field(description="stable id, e.g. 'uses_scan'; for programs, not people")
    passed: bool
    message: str
    title: str = Field("", description="what the check is, in words: 'Uses lax.scan'")
    ran: bool = Field(
        True, description="False when it could not run (the code raised before any program)"
    )


class StudentError(BaseModel):
    """An exception raised by the student's code, translated into advice."""

    type: str
    message: str
    line: int | None = Field(None, description="line in the student's file")
    hint: str | None = Field(None, description="plain-language advice, when we recognise it")
    traceback: str | None = Field(None, description="student frames only")


class GradeResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_version: int = Field(SCHEMA_VERSION, alias="schema")
    status: Status
    score: float = Field(ge=0.0, le=1.0)
    summary: str = Field("", description="one line a student reads first")
    problem: str | None = None
    problem_version: str | None = None
    mode: Mode | None = None
    backend: str | None = None
    cases: list[CaseResult] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    error: StudentError | None = None
    # What only the sandboxed runner could see (e.g. "you never call jax.vmap"): advice
    # next to the verdict, never a reason for it.
    advice: list[str] = Field(default_factory=list)
    stdout: str = ""
    timings: dict[str, float] = Field(default_factory=dict)
    isolation: dict[str, Any] = Field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def system_error(cls, summary: str, **extra: Any) -> GradeResult:
        """A platform fault: never the student's doing, shown with a request to resubmit."""
        return cls(status="system_error", score=0.0, summary=summary, **extra)


def compute_score(cases: list[CaseResult], checks: list[CheckResult]) -> float:
    """Fraction of the cases and of the checks that ran that passed; 0 when there is
    nothing to pass. 1.0 exactly when every case and check passed."""
    ran = [c for c in checks if c.ran]  # a check that could not run is neither
    total = len(cases) + len(ran)
    if total == 0:
        return 0.0
    passed = sum(c.status == "passed" for c in cases) + sum(c.passed for c in ran)
    return round(passed / total, 4)
