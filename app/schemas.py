"""Request and response bodies of the JSON API (and so of /openapi.json)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.models import Attempt, Problem, ProblemVersion, User


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# The database keeps naive UTC; the API says so (RFC 3339 with an offset).
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class _Input(BaseModel):
    """Request bodies: unknown fields refused; NUL characters refused (Postgres text
    cannot hold them, and no legitimate name, password or program contains one)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and "\x00" in value:
                    raise ValueError(f"{key} must not contain NUL characters")
        return data


class RegisterIn(_Input):
    username: str = Field(min_length=1, max_length=64, examples=["ada"])
    password: str = Field(min_length=1, max_length=1024, examples=["a long passphrase"])


class LoginIn(RegisterIn):
    pass


class PasswordChangeIn(_Input):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(
        min_length=1,
        max_length=1024,
        description="8 to 128 characters, not a common password; a long passphrase is best",
        examples=["a new long passphrase"],
    )


class CsrfOut(BaseModel):
    csrf_token: str


class UserOut(BaseModel):
    id: int
    username: str
    role: Literal["student", "instructor", "admin"]
    created_at: UtcDateTime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, username=user.username, role=user.role, created_at=user.created_at)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105


class ApiTokenIn(_Input):
    name: str = Field("api", min_length=1, max_length=64)


class ApiTokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="the first characters of the token, to recognise it")
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    expires_at: UtcDateTime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="shown once; store it now")


class RoleIn(_Input):
    role: Literal["student", "instructor", "admin"]


class ProblemSummary(BaseModel):
    slug: str
    title: str
    difficulty: str
    summary: str
    tags: list[str]
    track: str = Field("scan", description="jax-core | scan | flax-linen | flax-nnx")
    prerequisites: list[str] = Field(
        default_factory=list, description="slugs worth solving first (advice, not a lock)"
    )
    state: Literal["solved", "attempted", "new"] | None = Field(
        None, description="the caller's progress; null when signed out"
    )
    attempts: int = 0
    draft: bool = Field(False, description="shown to instructors only")

    @classmethod
    def of(cls, problem: Problem, state: Any = None, attempts: int = 0) -> ProblemSummary:
        return cls(
            slug=problem.slug,
            title=problem.title,
            difficulty=problem.difficulty,
            summary=problem.summary,
            tags=list(problem.tags or []),
            track=problem.track,
            prerequisites=list(problem.prerequisites or []),
            state=state,
            attempts=attempts,
            draft=problem.draft,
        )


class ArgOut(BaseModel):
    name: str
    static: bool
    description: str


class ExampleOut(BaseModel):
    name: str
    description: str
    args: dict[str, Any] = Field(description="shapes and dtypes of the inputs")


class ProblemDetail(ProblemSummary):
    version: str = Field(description="content hash of the current version")
    statement: str = Field(description="markdown")
    starter: str
    entry_point: str
    args: list[ArgOut]
    examples: list[ExampleOut] = Field(description="the visible cases")
    hints_count: int
    hints_revealed: list[str] = Field(default_factory=list)
    solution_available: bool = False
    solution_after_attempts: int

    @classmethod
    def build(
        cls,
        problem: Problem,
        version: ProblemVersion,
        *,
        state: Any = None,
        attempts: int = 0,
        hints_revealed: list[str] | None = None,
        solution_available: bool = False,
    ) -> ProblemDetail:
        base = ProblemSummary.of(problem, state, attempts).model_dump()
        return cls(
            **base,
            version=version.content_hash,
            statement=version.statement,
            starter=version.starter,
            entry_point=version.entry_point,
            args=[ArgOut(**a) for a in version.args],
            examples=[ExampleOut(**e) for e in version.examples],
            hints_count=len(version.hints),
            hints_revealed=hints_revealed or [],
            solution_available=solution_available,
            solution_after_attempts=version.solution_after_attempts,
        )


class HintsOut(BaseModel):
    hints: list[str] = Field(description="every hint revealed so far, in order")
    remaining: int


class SolutionOut(BaseModel):
    problem: str
    code: str
    reason: str = Field(description="solved | attempts | gave_up | instructor")


class SubmissionIn(_Input):
    problem: str = Field(min_length=1, max_length=64, examples=["cumulative-sum"])
    code: str = Field(min_length=1, max_length=2_000_000)
    mode: Literal["run", "submit"] = "submit"


class SubmissionOut(BaseModel):
    id: int
    problem: str
    mode: Literal["run", "submit"]
    status: str = Field(
        description="queued | running | cancelled (by its owner) | the result's status once graded"
    )
    result: dict[str, Any] | None = Field(None, description="the grader's result (schema 1)")
    score: float | None = None
    problem_version: str
    username: str
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None

    @classmethod
    def of(cls, attempt: Attempt) -> SubmissionOut:
        return cls(
            id=attempt.id,
            problem=attempt.problem.slug,
            mode=attempt.mode,
            status=attempt.status,
            result=attempt.result,
            score=attempt.score,
            problem_version=attempt.problem_version.content_hash,
            username=attempt.user.username,
            created_at=attempt.created_at,
            started_at=attempt.started_at,
            finished_at=attempt.finished_at,
        )


class SubmissionDetail(SubmissionOut):
    code: str

    @classmethod
    def of(cls, attempt: Attempt) -> SubmissionDetail:
        return cls(**SubmissionOut.of(attempt).model_dump(), code=attempt.code)


class ProblemProgressOut(BaseModel):
    problem: str
    title: str
    attempted: int = Field(description="students with at least one submit")
    solved: int = Field(description="students with a passing submit")
    submissions: int = Field(description="students' submits")


class ProblemStatsOut(ProblemProgressOut):
    solve_rate: float | None = Field(description="solved / attempted; null when none")
    median_attempts: float | None = Field(
        description="submits up to and including the first pass, median over solvers"
    )
    median_minutes: float | None = Field(
        description="minutes from the first submit to the first pass, median over solvers"
    )
    hints: int = Field(description="hints revealed by students")
    hint_students: int
    gave_up: int = Field(description="students who gave up and saw the solution")
    failure_reasons: list[tuple[str, int]] = Field(
        description="the most common reasons submits failed ('check: ...', 'case: ...', "
        "'error: TypeError', 'timeout'), with counts"
    )


class GridCellOut(BaseModel):
    problem: str
    state: Literal["solved", "attempted"]
    submits: int
    best_score: float | None
    last_status: str | None


class StudentGridOut(BaseModel):
    username: str
    solved: int
    cells: list[GridCellOut] = Field(description="only the problems the student submitted")


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class RegradeIn(_Input):
    problem: str = Field(max_length=64)
    scope: Literal["all", "passed", "failed"] = Field(
        "all", description="which submits to regrade, by their verdict"
    )


class RegradeChangeOut(BaseModel):
    was: str
    now: str
    count: int


class RegradeOut(BaseModel):
    id: int
    problem: str
    problem_version: str = Field(description="the version the submits are regraded against")
    scope: Literal["all", "passed", "failed"]
    created_at: UtcDateTime
    total: int
    pending: int = Field(description="regrades still queued or running")
    unchanged: int
    changed: list[RegradeChangeOut] = Field(description="verdicts that changed, most first")

    @classmethod
    def of(cls, report: Any) -> RegradeOut:
        b = report.batch
        return cls(
            id=b.id,
            problem=b.problem.slug,
            problem_version=b.problem_version.content_hash,
            scope=b.scope,
            created_at=b.created_at,
            total=report.total,
            pending=report.pending,
            unchanged=report.unchanged,
            changed=[RegradeChangeOut(was=a, now=n, count=c) for a, n, c in report.changed],
        )
