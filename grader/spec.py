"""Problem specs: the schema of ``problems/<slug>/problem.md`` front matter, and the loader.

A problem folder holds::

    problem.md        YAML front matter (all metadata, once) + the statement in markdown
    starter.py        what the editor starts from
    reference.py      the trusted reference solution (never shown to the sandbox)
    solutions/correct/*.py   must pass
    solutions/wrong/*.py     must fail; header comments say how:
        # expect-status: failed          (failed | error | timeout | memory)
        # expect-message: not unrolled   (case-insensitive substring of some message)

Argument values in cases are written in YAML as:

- a plain number or bool: a Python scalar (usually a static argument);
- ``{shape: [T, D], dist: normal, dtype: float32, scale: 1.0}``: a random array drawn
  from the case's seed (dists: normal, uniform in [low, high), randint in [low, high),
  arange, zeros, ones);
- ``{value: [[1, 2], [3, 4]], dtype: float32}``: a literal array;
- any other mapping: a dict pytree of such values (e.g. RNN ``params``).

Loading never raises for a bad folder: it returns the good problems plus a list of
:class:`ProblemError` naming the file and field, so one broken problem hides nothing else.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DTYPES = ("float32", "float64", "float16", "bfloat16", "int32", "int64", "int8", "uint8", "bool")

Difficulty = Literal["easy", "medium", "hard"]
# The tracks of the curriculum, in the order the problem list shows them.
Track = Literal["jax-core", "scan", "flax-linen", "flax-nnx"]
TRACKS: tuple[str, ...] = get_args(Track)
ExpectStatus = Literal["passed", "failed", "error", "timeout", "memory"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArrayGen(_Strict):
    """A random (or constant-pattern) array drawn from the case seed."""

    shape: tuple[int, ...]
    dist: Literal["normal", "uniform", "randint", "arange", "zeros", "ones"] = "normal"
    dtype: str = "float32"
    scale: float = 1.0
    low: float = 0.0
    high: float = 1.0

    @field_validator("shape")
    @classmethod
    def _positive(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 for d in v):
            raise ValueError("shape dimensions must be >= 0")
        return v

    @field_validator("dtype")
    @classmethod
    def _dtype(cls, v: str) -> str:
        if v not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}")
        return v


class ArrayLiteral(_Strict):
    value: Any
    dtype: str = "float32"

    @field_validator("dtype")
    @classmethod
    def _dtype(cls, v: str) -> str:
        if v not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}")
        return v


# An argument value: scalar | ArrayGen | ArrayLiteral | dict[str, ArgValue]
ArgValue = Any


def parse_arg_value(raw: Any, path: str) -> ArgValue:
    """Turn the YAML form of an argument into scalars, ArrayGen/ArrayLiteral and dicts."""
    if isinstance(raw, bool | int | float):
        return raw
    if isinstance(raw, dict):
        if "shape" in raw:
            return ArrayGen.model_validate(raw)
        if "value" in raw:
            return ArrayLiteral.model_validate(raw)
        if not raw:
            raise ValueError(f"{path}: empty mapping")
        out: dict[str, ArgValue] = {}
        for key, sub in raw.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings, got {key!r}")
            out[key] = parse_arg_value(sub, f"{path}.{key}")
        return out
    raise ValueError(
        f"{path}: expected a number, {{shape: ...}}, {{value: ...}} or a mapping, "
        f"got {type(raw).__name__}"
    )


class ArgSpec(_Strict):
    name: str
    static: bool = False
    description: str = ""

    @field_validator("name")
    @classmethod
    def _ident(cls, v: str) -> str:
        if not IDENT_RE.match(v):
            raise ValueError("must be a Python identifier")
        return v


CASE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class CaseSpec(_Strict):
    name: str
    visible: bool = False
    seed: int = 0
    args: dict[str, Any]
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        # ':' and '#' are kept for the cases the checks derive (grader.transforms).
        if not CASE_NAME_RE.match(v) or len(v) > 80:
            raise ValueError("case names are letters, digits, '-', '_' and '.' (at most 80)")
        return v

    @field_validator("args", mode="before")
    @classmethod
    def _parse_args(cls, v: Any) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise ValueError("args must be a mapping of argument name to value")
        return {k: parse_arg_value(sub, f"args.{k}") for k, sub in v.items()}


class Tolerance(_Strict):
    """``|got - expected| <= atol + rtol * |expected|``, elementwise (numpy's allclose).
    The one tolerance type: the front matter's, the comparison's, the executor's."""

    rtol: float = Field(1e-5, ge=0)
    atol: float = Field(1e-6, ge=0)


class NotUnrolled(_Strict):
    """The exported program must not grow (much) from the smallest judged case to the
    largest: compared over the programs of every judged case, so the problem's cases must
    differ in length (and in batch size where that is what must not be unrolled)."""

    # largest/smallest operation-count ratio tolerated; an unrolled loop grows with T.
    max_growth: float = Field(1.2, gt=1.0)
    # What to do instead, when the default ("use `jax.lax.scan` (and `jax.vmap` for a
    # batch)") does not fit the problem (a vmap problem, a parallel scan).
    advice: str | None = Field(None, min_length=10, max_length=300)


class Forbid(_Strict):
    """A StableHLO operation the program must not contain, with what to do instead."""

    op: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$", description="e.g. stablehlo.reduce_window")
    message: str = Field(min_length=5)


class StructureSpec(_Strict):
    uses: tuple[Literal["scan"], ...] = Field(
        (), description="scan: a loop whose results reach the output and matter"
    )
    not_unrolled: NotUnrolled | None = None
    forbid: tuple[Forbid, ...] = ()
    # Advice only: shown when the runner saw no jax.vmap, never required (the runner's
    # word cannot pass a check; a batched scan is as good).
    vmap: bool = Field(False, description="advise jax.vmap when it is not used")


class GradCheck(_Strict):
    """The gradient of a fixed scalar function of the output, ``L = sum_k <w_k, out_k>``
    over the output's floating-point leaves with weights ``w`` drawn from the case seed,
    with respect to ``wrt``, matches the reference's. The student's ``jax.grad`` program
    is exported by the runner and run by the executor like every other program: a loop
    that cannot be differentiated (``lax.while_loop``) or a misplaced ``stop_gradient``
    fails it even when the forward values are right."""

    wrt: tuple[str, ...] = Field(min_length=1, description="dynamic arguments")
    cases: tuple[str, ...] = Field(
        (), description="cases to check on (default: the first visible and the first hidden)"
    )


class VmapCheck(_Strict):
    """``jax.vmap`` of the student's function over ``over`` (the other arguments shared)
    equals calling it on each example: ``size`` examples, the case's own inputs first and
    the rest drawn like them from other seeds."""

    over: tuple[str, ...] = Field(min_length=1, description="dynamic arguments to map")
    size: int = Field(3, ge=2, le=8)
    cases: tuple[str, ...] = Field(
        (), description="cases to check on (default: the first visible and the first hidden)"
    )


class ChecksSpec(_Strict):
    """Checks on transformed programs (see :mod:`grader.transforms`)."""

    grad: GradCheck | None = None
    vmap_consistent: VmapCheck | None = None


class MutantsSpec(_Strict):
    """Mutation testing (:mod:`grader.mutants`): the ids of mutants of the reference that
    compute the same thing, each with the reason a person gave."""

    equivalent: dict[str, str] = Field(default_factory=dict)

    @field_validator("equivalent")
    @classmethod
    def _reasons(cls, v: dict[str, str]) -> dict[str, str]:
        for mid, reason in v.items():
            if len(reason.strip()) < 10:
                raise ValueError(f"{mid}: say why this mutant is equivalent")
        return v


class ProblemSpec(_Strict):
    """Front matter of problem.md."""

    title: str = Field(min_length=3, max_length=120)
    difficulty: Difficulty
    tags: tuple[str, ...] = ()
    summary: str = Field("", max_length=300, description="one line for the problem list")
    entry_point: str
    args: tuple[ArgSpec, ...]
    cases: tuple[CaseSpec, ...]
    tolerance: Tolerance = Tolerance()
    # Per-backend overrides, e.g. {gpu: {rtol: 1e-3, atol: 1e-4}}: GPUs run float32
    # matmuls at reduced (TF32) precision by default.
    tolerance_by_backend: dict[str, Tolerance] = Field(default_factory=dict)
    dtype_policy: Literal["exact", "same_kind"] = "same_kind"
    # Which output leaves run along time, and on which axis, e.g. {"output[1]": 0} for
    # (h_T, hs): only these get "first differs at step t" and the shifted / reversed /
    # suffix-sum diagnoses. A final state has no steps, and a batch axis is not time.
    time_axes: dict[str, int] = Field(default_factory=dict)
    # The entry point creates its own parameters from a seed (Flax init, nnx.Rngs): a
    # case whose values are all wrong while its shapes are right is then diagnosed as
    # parameters that differ from the reference's (initialiser, key, layer order).
    initialises_params: bool = False
    structure: StructureSpec = StructureSpec()
    checks: ChecksSpec = ChecksSpec()
    time_limit_s: float | None = Field(None, gt=0, description="lower than the global limit")
    hints: tuple[str, ...] = ()
    solution_after_attempts: int = Field(5, ge=0, description="submits before 'show solution'")
    order: int = Field(100, description="position in the problem list (within its track)")
    track: Track = Field("scan", description="jax-core | scan | flax-linen | flax-nnx")
    prerequisites: tuple[str, ...] = Field(
        (), description="slugs worth solving first: advice shown to students, never a lock"
    )
    mutants: MutantsSpec = MutantsSpec()
    draft: bool = Field(
        False, description="visible to instructors only (with a 'draft' badge) until cleared"
    )
    requires: tuple[str, ...] = Field(
        (), description="what the problem needs installed, e.g. 'flax>=0.12' (checked by validate)"
    )

    @field_validator("requires")
    @classmethod
    def _requirements(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from packaging.requirements import InvalidRequirement, Requirement

        for text in v:
            try:
                Requirement(text)
            except InvalidRequirement as exc:
                raise ValueError(f"{text!r} is not a requirement like 'flax>=0.12': {exc}") from exc
        return v

    @field_validator("time_axes")
    @classmethod
    def _time_axes(cls, v: dict[str, int]) -> dict[str, int]:
        for path, axis in v.items():
            if not re.match(r"^output(\[(\d+|'[^']+')\])*$", path):
                raise ValueError(
                    f"{path!r}: name an output leaf as in result messages: output, "
                    "output[1], output['hs']"
                )
            if axis < 0:
                raise ValueError(f"{path}: the axis must be >= 0")
        return v

    @field_validator("entry_point")
    @classmethod
    def _ident(cls, v: str) -> str:
        if not IDENT_RE.match(v):
            raise ValueError("must be a Python identifier")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ProblemSpec:
        names = [a.name for a in self.args]
        if len(set(names)) != len(names):
            raise ValueError("args: duplicate argument names")
        case_names = [c.name for c in self.cases]
        if len(set(case_names)) != len(case_names):
            raise ValueError("cases: duplicate case names")
        if not any(c.visible for c in self.cases):
            raise ValueError("cases: at least one case must be visible (used by 'run')")
        if not any(not c.visible for c in self.cases):
            raise ValueError("cases: at least one case must be hidden (used by 'submit')")
        for c in self.cases:
            if set(c.args) != set(names):
                raise ValueError(
                    f"cases[{c.name}]: args {sorted(c.args)} do not match declared {names}"
                )
        dynamic = [a.name for a in self.args if not a.static]
        for key, check in (
            ("grad", self.checks.grad),
            ("vmap_consistent", self.checks.vmap_consistent),
        ):
            if check is None:
                continue
            argnames = check.wrt if isinstance(check, GradCheck) else check.over
            bad = [n for n in argnames if n not in dynamic]
            if bad:
                raise ValueError(f"checks.{key}: {bad} are not dynamic arguments ({dynamic})")
            unknown = [n for n in check.cases if n not in case_names]
            if unknown:
                raise ValueError(f"checks.{key}.cases: no cases named {unknown}")
        return self

    def check_cases(
        self, check: GradCheck | VmapCheck, mode: Literal["run", "submit"]
    ) -> tuple[CaseSpec, ...]:
        """The cases a transformation check runs on in ``mode`` (visible ones only in run)."""
        if check.cases:
            chosen = [c for c in self.cases if c.name in check.cases]
        else:
            first_visible = next(c for c in self.cases if c.visible)
            first_hidden = next(c for c in self.cases if not c.visible)
            chosen = [first_visible, first_hidden]
        return tuple(c for c in chosen if mode == "submit" or c.visible)

    @property
    def static_argnames(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args if a.static)

    def tolerance_for(self, backend: str) -> Tolerance:
        return self.tolerance_by_backend.get(backend, self.tolerance)

    def cases_for(self, mode: Literal["run", "submit"]) -> tuple[CaseSpec, ...]:
        """'run' checks the visible examples; 'submit' checks every case."""
        if mode == "run":
            return tuple(c for c in self.cases if c.visible)
        return self.cases


@dataclass(frozen=True)
class SolutionFile:
    path: Path
    kind: Literal["correct", "wrong"]
    expect_status: ExpectStatus
    expect_message: str | None


@dataclass(frozen=True)
class Problem:
    slug: str
    directory: Path
    spec: ProblemSpec
    statement: str
    starter: str
    content_hash: str
    solutions: tuple[SolutionFile, ...] = field(default=())

    @property
    def reference_path(self) -> Path:
        return self.directory / "reference.py"


@dataclass(frozen=True)
class ProblemError:
    slug: str
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.field}]" if self.field else "")
        return f"{self.slug}: {where}: {self.message}"


_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", re.S)
_EXPECT_RE = re.compile(r"^#\s*expect-(status|message)\s*:\s*(.+?)\s*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        raise ValueError("problem.md must start with YAML front matter between '---' lines")
    data = yaml.safe_load(m.group(1))
    if not isinstance(data, dict):
        raise ValueError("front matter must be a YAML mapping")
    return data, m.group(2).strip() + "\n"


def content_hash(directory: Path) -> str:
    """Hash of what defines grading: the spec, the reference and the starter."""
    h = hashlib.sha256()
    for name in ("problem.md", "reference.py", "starter.py"):
        h.update(name.encode())
        h.update(b"\0")
        h.update((directory / name).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _read_solutions(directory: Path) -> tuple[SolutionFile, ...]:
    out: list[SolutionFile] = []
    for kind in ("correct", "wrong"):
        for path in sorted((directory / "solutions" / kind).glob("*.py")):
            header = "\n".join(path.read_text(encoding="utf-8").splitlines()[:15])
            meta = {k: v for k, v in _EXPECT_RE.findall(header)}
            default = "passed" if kind == "correct" else "failed"
            status = meta.get("status", default)
            if status not in ("passed", "failed", "error", "timeout", "memory"):
                raise ValueError(f"{path.name}: bad expect-status {status!r}")
            if kind == "correct" and status != "passed":
                raise ValueError(f"{path.name}: a correct solution must expect 'passed'")
            if kind == "wrong" and status == "passed":
                raise ValueError(f"{path.name}: a wrong solution cannot expect 'passed'")
            out.append(SolutionFile(path, kind, status, meta.get("message")))
    return tuple(out)


def _loc(err: Any) -> str:
    return ".".join(str(p) for p in err.get("loc", ()))


def load_problem(directory: Path) -> Problem:
    """Load one folder; raises ProblemLoadError listing every problem found."""
    slug = directory.name
    errors: list[ProblemError] = []
    if not SLUG_RE.match(slug):
        errors.append(ProblemError(slug, str(directory), "", "folder name is not a valid slug"))
    for name in ("problem.md", "starter.py", "reference.py"):
        if not (directory / name).is_file():
            errors.append(ProblemError(slug, name, "", "missing file"))
    if errors:
        raise ProblemLoadError(errors)
    try:
        data, statement = split_front_matter((directory / "problem.md").read_text("utf-8"))
    except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProblemLoadError([ProblemError(slug, "problem.md", "", str(exc))]) from exc
    try:
        spec = ProblemSpec.model_validate(data)
    except ValidationError as exc:
        raise ProblemLoadError(
            [ProblemError(slug, "problem.md", _loc(e), e["msg"]) for e in exc.errors()]
        ) from exc
    try:
        solutions = _read_solutions(directory)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProblemLoadError([ProblemError(slug, "solutions/", "", str(exc))]) from exc
    return Problem(
        slug=slug,
        directory=directory,
        spec=spec,
        statement=statement,
        starter=(directory / "starter.py").read_text("utf-8"),
        content_hash=content_hash(directory),
        solutions=solutions,
    )


class ProblemLoadError(Exception):
    """A problem folder could not be loaded."""

    def __init__(self, errors: list[ProblemError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def load_problems(problems_dir: Path) -> tuple[dict[str, Problem], list[ProblemError]]:
    """Every valid problem under ``problems_dir`` (sorted by order, then slug), plus errors."""
    problems: list[Problem] = []
    errors: list[ProblemError] = []
    if not problems_dir.is_dir():
        return {}, [ProblemError("*", str(problems_dir), "", "problems directory not found")]
    for directory in sorted(p for p in problems_dir.iterdir() if p.is_dir()):
        if directory.name.startswith((".", "_")):
            continue
        try:
            problems.append(load_problem(directory))
        except ProblemLoadError as exc:
            errors.extend(exc.errors)
    slugs = {p.slug for p in problems}
    kept = []
    for problem in problems:
        unknown = [s for s in problem.spec.prerequisites if s not in slugs or s == problem.slug]
        if unknown:
            errors.append(
                ProblemError(
                    problem.slug,
                    "problem.md",
                    "prerequisites",
                    f"not another problem here: {', '.join(unknown)}",
                )
            )
        else:
            kept.append(problem)
    kept.sort(key=lambda p: (TRACKS.index(p.spec.track), p.spec.order, p.slug))
    return {p.slug: p for p in kept}, errors
