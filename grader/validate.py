"""``jaxdojo problems validate``: prove that a problem folder grades what it claims.

For each problem: the spec loads (errors name the file and field); the trusted reference
computes every case; the reference, submitted through the real sandbox, passes its own
cases; every ``solutions/correct`` file passes; every ``solutions/wrong`` file gets its
``expect-status`` and a message containing its ``expect-message``; trivial answers
(all zeros, or an input echoed back) fail every case, which is checked on the trusted side
without running anything; and every mutant of the reference (:mod:`grader.mutants`: one
classic mistake each) fails, unless the problem marks it equivalent with a reason.

Submitting the problem's own files through the sandbox is fine here: they are trusted
content written by instructors, and no student code is involved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.cases import case_inputs
from grader.compare import compare_outputs
from grader.errors import GraderError
from grader.grade import Grader
from grader.mutants import Mutant, mutants
from grader.result import GradeResult
from grader.spec import Problem, ProblemError, SolutionFile, load_problems

Tree = Any


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str = ""


@dataclass
class ProblemReport:
    slug: str
    version: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, ok: bool, what: str, detail: str = "") -> None:
        self.findings.append(Finding(ok, what, detail))


def result_texts(result: GradeResult) -> list[str]:
    """Every message a student could read in a result."""
    texts = [result.summary]
    texts += [c.message for c in result.cases if c.message]
    texts += [c.message for c in result.checks]
    if result.error is not None:
        texts += [result.error.message, result.error.hint or "", result.error.type]
    return texts


def result_mentions(result: GradeResult, needle: str) -> bool:
    """Case-insensitive search for ``needle`` in any message of ``result``."""
    low = needle.lower()
    return any(low in text.lower() for text in result_texts(result))


def check_solution(result: GradeResult, solution: SolutionFile) -> str | None:
    """None if ``result`` is what the solution's header expects, else what went wrong."""
    problems = []
    if result.status != solution.expect_status:
        problems.append(f"expected status {solution.expect_status}, got {result.status}")
    if solution.expect_message and not result_mentions(result, solution.expect_message):
        problems.append(f"no message contains {solution.expect_message!r}")
    if not problems:
        return None
    return "; ".join(problems) + f" — summary: {result.summary}"


# --- trusted trivial-answer check -------------------------------------------------------


def _tree_map(fn: Callable[[np.ndarray], Tree], tree: Tree) -> Tree:
    if isinstance(tree, dict):
        return {k: _tree_map(fn, v) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(_tree_map(fn, v) for v in tree)
    if tree is None:
        return None
    return fn(np.asarray(tree))


def _array_leaves(tree: Tree, path: str = "") -> list[tuple[str, np.ndarray]]:
    if isinstance(tree, dict):
        return [
            leaf for k, v in tree.items() for leaf in _array_leaves(v, f"{path}.{k}" if path else k)
        ]
    if isinstance(tree, list | tuple):
        return [leaf for i, v in enumerate(tree) for leaf in _array_leaves(v, f"{path}[{i}]")]
    if isinstance(tree, np.ndarray):
        return [(path, tree)]
    return []


def trivial_answers_that_pass(problem: Problem, expected: dict[str, Tree]) -> list[str]:
    """Cases where all-zeros or an echoed input would pass: the test data is too weak."""
    spec = problem.spec
    weak: list[str] = []
    for case in spec.cases:
        exp = expected[case.name]
        tol = spec.tolerance
        zeros = _tree_map(np.zeros_like, exp)
        if compare_outputs(exp, zeros, tolerance=tol, dtype_policy=spec.dtype_policy).passed:
            weak.append(f"case {case.name}: an all-zeros answer passes")
        for path, leaf in _array_leaves(case_inputs(case.args, case.seed)):

            def echo(out: np.ndarray, leaf: np.ndarray = leaf) -> np.ndarray:
                return leaf.astype(out.dtype) if leaf.shape == out.shape else np.zeros_like(out)

            if not any(a.shape == leaf.shape for _, a in _array_leaves(exp)):
                continue
            candidate = _tree_map(echo, exp)
            if compare_outputs(exp, candidate, tolerance=tol, dtype_policy="same_kind").passed:
                weak.append(f"case {case.name}: returning the input {path} unchanged passes")
    return weak


# --- the whole validation ---------------------------------------------------------------


def requirement_met(text: str) -> tuple[bool, str]:
    """Whether the installed distribution satisfies ``text`` (e.g. ``flax>=0.12``)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    requirement = Requirement(text)
    try:
        installed = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        return False, f"{requirement.name} is not installed"
    ok = requirement.specifier.contains(installed, prereleases=True)
    return ok, f"installed {installed}"


def validate_problem(grader: Grader, problem: Problem, *, mutation: bool = True) -> ProblemReport:
    report = ProblemReport(problem.slug, problem.content_hash)
    report.add(True, "schema", f"{len(problem.spec.cases)} cases")
    for requirement in problem.spec.requires:
        ok, detail = requirement_met(requirement)
        report.add(ok, f"requires {requirement}", detail)
    try:
        # Also compiles the known-correct solutions in the trusted runner, so that the
        # sandbox runs below (and students' equivalent programs later) hit the cache.
        grader.references.warm([problem], solutions=True)
        expected = grader.references.get(problem, problem.spec.cases)
    except GraderError as exc:
        report.add(False, "reference outputs", str(exc))
        return report
    report.add(True, "reference outputs", f"computed for {len(expected)} cases")

    weak = trivial_answers_that_pass(problem, expected)
    report.add(not weak, "zeros and input-echo answers fail every case", "; ".join(weak))

    reference = problem.reference_path.read_text("utf-8")
    _grade_into(report, grader, problem, "reference passes its own cases", reference, None)
    for solution in problem.solutions:
        label = f"{solution.kind}/{solution.path.name}"
        code = solution.path.read_text("utf-8")
        _grade_into(report, grader, problem, label, code, solution)
    if mutation:
        check_mutants(report, grader, problem, reference)
    return report


@dataclass
class MutationReport:
    generated: list[Mutant] = field(default_factory=list)
    killed: list[str] = field(default_factory=list)
    equivalent: dict[str, str] = field(default_factory=dict)
    surviving: list[Mutant] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # "equivalent" ids that name no mutant
    faults: list[str] = field(default_factory=list)


def run_mutants(grader: Grader, problem: Problem, reference: str) -> MutationReport:
    """Grade every mutant of ``reference``; a mutant is killed when it does not pass."""
    out = MutationReport(generated=mutants(reference))
    marked = dict(problem.spec.mutants.equivalent)
    ids = {m.id for m in out.generated}
    out.stale = sorted(set(marked) - ids)
    for mutant in out.generated:
        if mutant.id in marked:
            out.equivalent[mutant.id] = marked[mutant.id]
            continue
        try:
            result = grader.grade(problem.slug, mutant.code, "submit")
        except GraderError as exc:
            out.faults.append(f"{mutant.id}: {type(exc).__name__}: {exc}")
            continue
        if result.status == "passed":
            out.surviving.append(mutant)
        else:
            out.killed.append(mutant.id)
    return out


def check_mutants(report: ProblemReport, grader: Grader, problem: Problem, reference: str) -> None:
    m = run_mutants(grader, problem, reference)
    summary = (
        f"{len(m.generated)} generated, {len(m.killed)} killed, "
        f"{len(m.equivalent)} equivalent, {len(m.surviving)} surviving"
    )
    report.add(not m.surviving and not m.faults and not m.stale, "mutants", summary)
    for mutant in m.surviving:
        report.add(
            False,
            f"mutant {mutant.id} survives",
            f"{mutant.description} (reference.py line {mutant.line}) still passes every case: "
            "add a case that tells it apart, or mark it equivalent with a reason",
        )
    for mid, reason in m.equivalent.items():
        report.add(True, f"mutant {mid} is equivalent", reason)
    for mid in m.stale:
        report.add(False, f"mutants.equivalent names {mid}", "no such mutant any more")
    for fault in m.faults:
        report.add(False, "mutant could not be graded", fault)


def _grade_into(
    report: ProblemReport,
    grader: Grader,
    problem: Problem,
    label: str,
    code: str,
    solution: SolutionFile | None,
) -> None:
    try:
        result = grader.grade(problem.slug, code, "submit")
    except GraderError as exc:
        report.add(False, label, f"grading failed: {type(exc).__name__}: {exc}")
        return
    if solution is None:
        ok = result.status == "passed"
        report.add(ok, label, "" if ok else f"got {result.status}: {result.summary}")
        return
    problem_text = check_solution(result, solution)
    expect: str = solution.expect_status
    if solution.expect_message:
        expect += f' "{solution.expect_message}"'
    report.add(problem_text is None, label, problem_text or f"{expect}")


def validate_problems(
    grader: Grader, slugs: Iterable[str] | None = None, *, mutation: bool = True
) -> tuple[list[ProblemReport], list[ProblemError]]:
    """Reports for the named problems (all by default) and folder errors that stop loading."""
    problems, errors = load_problems(grader.settings.problems_dir)
    wanted = list(slugs) if slugs else list(problems)
    reports: list[ProblemReport] = []
    for slug in wanted:
        if slug in problems:
            reports.append(validate_problem(grader, problems[slug], mutation=mutation))
        elif not any(e.slug == slug for e in errors):
            report = ProblemReport(slug)
            report.add(
                False, "schema", f"no problem named {slug!r} in {grader.settings.problems_dir}"
            )
            reports.append(report)
    relevant = [e for e in errors if not slugs or e.slug in wanted]
    return reports, relevant


def format_reports(
    reports: list[ProblemReport], errors: list[ProblemError], *, color: bool = False
) -> str:
    def mark(ok: bool) -> str:
        text = "ok  " if ok else "FAIL"
        if not color:
            return text
        return f"\033[32m{text}\033[0m" if ok else f"\033[31m{text}\033[0m"

    lines: list[str] = []
    by_slug: dict[str, list[ProblemError]] = {}
    for e in errors:
        by_slug.setdefault(e.slug, []).append(e)
    for slug, errs in by_slug.items():
        lines.append(f"{slug}")
        for e in errs:
            where = e.file + (f" [{e.field}]" if e.field else "")
            lines.append(f"  {mark(False)}  schema: {where}: {e.message}")
    for report in reports:
        version = f" (version {report.version})" if report.version else ""
        lines.append(f"{report.slug}{version}")
        for f in report.findings:
            detail = f": {f.detail}" if f.detail else ""
            lines.append(f"  {mark(f.ok)}  {f.what}{detail}")
    n_bad = sum(not r.ok for r in reports) + len(by_slug)
    total = len(reports) + len(by_slug)
    lines.append(
        f"{total - n_bad} of {total} problem(s) valid" + (f", {n_bad} invalid" if n_bad else "")
    )
    return "\n".join(lines)
