"""The verdict for one sandbox run: pure trusted logic over what the sandbox reported and
the reference outputs. No I/O, no JAX, no student code: unit-testable with canned outcomes.

Hidden cases get only a name and a status (never their outputs, errors or times). Their
inputs reach only the executor, never the student's process; a run that fails in the
executor is reported without its exit code or messages when hidden cases were in it.
In submit mode the student's stdout is withheld (it spans every case's signature).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader import transforms
from grader.cases import describe
from grader.compare import compare_outputs, leaf_paths, wrong_fractions
from grader.explain import explain_error, one_line
from grader.result import (
    CaseResult,
    CaseStatus,
    CheckResult,
    GradeResult,
    Mode,
    Status,
    StudentError,
    compute_score,
)
from grader.sandbox.protocol import CaseOutcome, RunLimits, RunOutcome, RunRequest
from grader.spec import CaseSpec, Problem
from grader.structure import advice, run_structure_checks
from grader.transforms import Derived

Tree = Any

STDOUT_WITHHELD = (
    "(What your code printed is not shown when you submit, because printing could reveal "
    "the hidden test inputs. Use Run to see it on the visible examples.)"
)


@dataclass(frozen=True)
class PreparedRun:
    """A problem's cases for one submission, and the request made of them."""

    problem: Problem
    cases: tuple[CaseSpec, ...]
    inputs: dict[str, dict[str, Tree]]
    request: RunRequest
    limits: RunLimits
    # Cases the transformation checks add (grader.transforms), run like the others.
    derived: tuple[Derived, ...] = ()


def judge(
    *,
    prepared: PreparedRun,
    outcome: RunOutcome,
    expected: dict[str, Tree],
    mode: Mode,
) -> GradeResult:
    """The verdict for one run: pure trusted logic over the outcome and reference outputs."""
    p = prepared
    problem, spec = p.problem, p.problem.spec
    base: dict[str, Any] = {
        "problem": problem.slug,
        "problem_version": problem.content_hash,
        "mode": mode,
        "isolation": dict(outcome.isolation),
        "stdout": _stdout(outcome.stdout, mode),
    }
    if outcome.kind != "ok":
        return _run_failure(p, outcome, base)

    by_name = {c.name: c for c in outcome.cases}
    cases = [
        _judge_case(spec_case, by_name.get(spec_case.name), expected[spec_case.name], p)
        for spec_case in p.cases
    ]
    judged = [by_name[c.name] for c in p.cases if c.name in by_name]
    checks = run_structure_checks(spec, judged) + _transform_checks(p, cases, by_name, expected)

    error = _first_visible_error(p, by_name)
    n_cases = len(cases)
    passed_cases = sum(c.status == "passed" for c in cases)
    errored = sum(c.status == "error" for c in cases)
    failed_checks = [c for c in checks if not c.passed]
    status: Status
    if passed_cases == n_cases and not failed_checks:
        status = "passed"
    elif n_cases and errored * 2 > n_cases:
        # Most cases raised: the error is the news, whatever the others did.
        status = "error"
    else:
        status = "failed"
    summary = _summary(status, mode, cases, checks, error)
    return GradeResult(
        status=status,
        score=compute_score(cases, checks),
        summary=summary,
        cases=cases,
        checks=checks,
        error=error,
        advice=advice(spec, judged),
        **base,
    )


def _transform_checks(
    p: PreparedRun,
    cases: Sequence[CaseResult],
    by_name: dict[str, CaseOutcome],
    expected: dict[str, Tree],
) -> list[CheckResult]:
    """``grad`` and ``vmap_consistent``, judged only where their base cases ran (a
    gradient of wrong values is wrong for the values' reason, said by the cases)."""
    spec = p.problem.spec
    status = {c.name: c.status for c in cases}
    tolerance = spec.tolerance_for(p.request.backend)
    out: list[CheckResult] = []
    grad = [d for d in p.derived if d.kind == "grad"]
    if spec.checks.grad is not None and grad:
        if any(status.get(d.base.name) != "passed" for d in grad):
            out.append(
                transforms.not_checked(
                    "grad", "not checked until your outputs match on the cases it uses"
                )
            )
        else:
            out.append(
                transforms.judge_grad(
                    spec.checks.grad, grad, by_name, expected, tolerance, spec.dtype_policy
                )
            )
    vmap = [d for d in p.derived if d.kind != "grad"]
    if spec.checks.vmap_consistent is not None and vmap:
        if any(status.get(d.base.name) == "error" for d in vmap):
            out.append(
                transforms.not_checked(
                    "vmap_consistent", "not checked because your code raised an error"
                )
            )
        else:
            out.append(
                transforms.judge_vmap(
                    spec.checks.vmap_consistent, vmap, by_name, tolerance, spec.time_axes
                )
            )
    return out


def _stdout(stdout: str, mode: Mode) -> str:
    if mode == "submit":
        return STDOUT_WITHHELD if stdout.strip() else ""
    return stdout


def _judge_case(
    case: CaseSpec, got: CaseOutcome | None, expected: Tree, p: PreparedRun
) -> CaseResult:
    spec = p.problem.spec
    status: CaseStatus
    message: str | None
    if got is None or (got.output is None and got.error is None):
        status, message, divergence, got_preview = "error", "no result came back", None, None
    elif got.error is not None:
        err = explain_error(
            got.error, entry_point=spec.entry_point, static_argnames=spec.static_argnames
        )
        status, message, divergence, got_preview = "error", one_line(err), None, None
        if err.hint:
            message += f" — {err.hint}"
    else:
        cmp = compare_outputs(
            expected,
            got.output,
            tolerance=spec.tolerance_for(p.request.backend),
            dtype_policy=spec.dtype_policy,
            time_axes=spec.time_axes,
        )
        status = "passed" if cmp.passed else "failed"
        message = None if cmp.passed else cmp.message
        if message is not None and spec.initialises_params:
            hint = _initialisation_hint(expected, got.output, p)
            message += f" — {hint}" if hint else ""
        divergence = cmp.divergence
        got_preview = describe(got.output)
    if not case.visible:
        return CaseResult.hidden_case(case.name, status)
    return CaseResult(
        name=case.name,
        hidden=False,
        status=status,
        message=message,
        inputs=describe(p.inputs[case.name]),
        expected=describe(expected),
        got=got_preview,
        divergence=divergence,
        time_ms=got.time_ms if got is not None else None,
    )


PARAM_LEAF = re.compile(r"kernel|bias|scale|embedding|param|\['W")
INIT_ADVICE = (
    "check the initialiser (a layer's default, e.g. `nn.Dense`'s lecun_normal, is not "
    "`normal`), the key (`jax.random.PRNGKey(seed)` or `nnx.Rngs(seed)`, not `seed + 1` "
    "or a split the reference does not make), the order in which layers are created (each "
    "draws the next key), and that each weight is created once, not at every step"
)


def _initialisation_hint(expected: Tree, got: Tree, p: PreparedRun) -> str | None:
    """For problems that create their parameters from a seed: wrong parameters, said as
    such (where the output shows them), or every value wrong with the right shapes."""
    spec = p.problem.spec
    wrong = wrong_fractions(
        expected,
        got,
        tolerance=spec.tolerance_for(p.request.backend),
        dtype_policy=spec.dtype_policy,
    )
    if not wrong:
        return None
    params = [path for path in wrong if PARAM_LEAF.search(path)]
    if not params and any(PARAM_LEAF.search(path) for path in leaf_paths(expected)):
        return None  # the parameters are in the output, and right: the mistake is elsewhere
    if params:
        return f"your parameters (`{params[0]}`) already differ from the reference's: " + (
            INIT_ADVICE
        )
    if min(wrong.values()) >= 0.9:
        return (
            "nearly every value differs while the shapes and structure are right, which is "
            "what parameters other than the reference's (or another starting state) look "
            "like: " + INIT_ADVICE + ", and check the initial state your loop starts from"
        )
    return None


def _first_visible_error(p: PreparedRun, by_name: dict[str, CaseOutcome]) -> StudentError | None:
    spec = p.problem.spec
    for case in p.cases:
        outcome = by_name.get(case.name)
        if case.visible and outcome is not None and outcome.error is not None:
            return explain_error(
                outcome.error, entry_point=spec.entry_point, static_argnames=spec.static_argnames
            )
    return None


def _summary(
    status: str,
    mode: Mode,
    cases: Sequence[CaseResult],
    checks: Sequence[CheckResult],
    error: StudentError | None,
) -> str:
    n = len(cases)
    passed = sum(c.status == "passed" for c in cases)
    failed_checks = [c for c in checks if c.ran and not c.passed]
    kind = "visible example" if mode == "run" else "test case"
    if status == "passed":
        text = f"All {n} {kind}{'s' if n != 1 else ''} passed"
        if checks:
            text += f" and all {len(checks)} check{'s' if len(checks) != 1 else ''}"
        text += "."
        if mode == "run":
            text += " Submit to run the hidden cases too."
        return text
    if status == "error":
        errored = sum(c.status == "error" for c in cases)
        where = "every case" if errored == n else f"{errored} of {n} {kind}s"
        if error is not None:
            text = f"Your code raised an error in {where}: {one_line(error)}"
            return text + (f" — {error.hint}" if error.hint else "")
        raised = next((c for c in cases if c.status == "error" and c.message), None)
        if raised is not None:
            return f"Your code raised an error in {where}; {raised.name}: {raised.message}"
        return f"Your code raised an error in {where}."
    parts = [f"{passed} of {n} {kind}{'s' if n != 1 else ''} passed"]
    first_bad = next((c for c in cases if c.status != "passed" and c.message), None)
    if failed_checks:
        # An unrolled loop also lacks a scan; "unrolled" names the actual mistake.
        first = next((c for c in failed_checks if c.name == "not_unrolled"), failed_checks[0])
        count = len(failed_checks)
        parts.append(f"{count} check{'s' if count != 1 else ''} failed: {first.message}")
    elif first_bad is not None:
        parts.append(f"{first_bad.name}: {first_bad.message}")
    elif any(c.status != "passed" and c.hidden for c in cases):
        parts.append("some hidden cases failed")
    return "; ".join(parts).rstrip(".") + "."


def _build_timeout_text(wall_s: float, where: str | None, line: int | None) -> str:
    """The message for a runner stopped while building the program, worded after where
    the runner last said it was busy. That is the runner's word (it ran student code):
    it picks the wording here, never the status or the score."""
    on_line = f" on line {line}" if type(line) is int and line > 0 else ""
    if where == "student":
        return (
            f"Your own Python code was still running{on_line} after {wall_s:g} s and was "
            "stopped — is there a loop that never ends? A `while` loop whose condition "
            "never becomes false runs forever, and JAX cannot stop it for you."
        )
    if where == "tracing":
        return (
            f"Building your program took longer than {wall_s:g} s and was stopped: JAX was "
            f"still tracing the operations of your code{on_line}. A Python loop over the "
            "sequence is unrolled into one operation per step, so a long loop makes a huge "
            "program that is slow to build; loop with `jax.lax.scan` instead."
        )
    if where == "lowering":
        return (
            f"Building your program took longer than {wall_s:g} s and was stopped: your "
            "traced program was so large that JAX was still converting it. A Python loop "
            "over the sequence is unrolled into one operation per step; loop with "
            "`jax.lax.scan` instead."
        )
    return (
        f"Building your program took longer than {wall_s:g} s and was stopped — either a "
        "Python loop never ends (check each `while` condition), or a long Python loop is "
        "unrolled into one operation per step, which takes long to trace; use lax.scan."
    )


# Programs this much larger for the largest case than for the smallest grew with the input.
UNROLLED_GROWTH = 4.0
UNROLLED_MIN_BYTES = 64 * 1024


def _executor_timeout_text(wall_s: float, sizes: Sequence[int]) -> str:
    """A compiled program stopped at the time limit: a loop that never ends, or (when the
    exported programs grow with the input, a fact about shapes only) an unrolled loop
    whose huge program took that long to compile."""
    if sizes and max(sizes) >= UNROLLED_MIN_BYTES and max(sizes) >= UNROLLED_GROWTH * min(sizes):
        return (
            f"Your program took longer than {wall_s:g} s to compile and run and was stopped. "
            f"Its size grows with the input ({min(sizes) // 1024} KiB for the smallest case, "
            f"{max(sizes) // 1024} KiB for the largest): a Python loop was unrolled into one "
            "operation per step, and compiling that is slow. Loop with `jax.lax.scan`."
        )
    return (
        f"Your compiled program ran longer than {wall_s:g} s and was stopped "
        "— look for a loop that never ends (a lax.while_loop whose condition stays true)."
    )


def _run_failure(p: PreparedRun, outcome: RunOutcome, base: dict[str, Any]) -> GradeResult:
    """Verdicts for a run that produced no per-case results."""
    spec = p.problem.spec
    limits = p.limits
    error: StudentError | None = None
    status: Status
    if outcome.kind == "load_error" and outcome.load_error is not None:
        status = "error"
        error = explain_error(
            outcome.load_error, entry_point=spec.entry_point, static_argnames=spec.static_argnames
        )
        summary = f"Your code could not be loaded: {one_line(error)}"
        if error.hint:
            summary += f" — {error.hint}"
        not_run = "not run: your code could not be loaded"
    elif outcome.kind == "load_error":
        status = "error"
        summary = "Your code could not be loaded."
        not_run = "not run: your code could not be loaded"
    elif outcome.kind == "timeout" and outcome.stage == "executor":
        status = "timeout"
        summary = _executor_timeout_text(limits.wall_time_s, outcome.artifact_sizes)
        not_run = "stopped: time limit"
    elif outcome.kind == "timeout":
        status = "timeout"
        summary = _build_timeout_text(limits.wall_time_s, outcome.hint_where, outcome.hint_line)
        not_run = "stopped: time limit"
    elif outcome.kind == "memory":
        status = "memory"
        summary = (
            f"Your program used more than its {limits.memory_mb} MB of memory and was stopped "
            "— look for huge intermediate arrays or a Python loop unrolled many times."
        )
        not_run = "stopped: memory limit"
    elif outcome.kind == "output_too_large":
        status = "error"
        summary = (
            f"Your function returned more than {limits.max_output_bytes // (1024 * 1024)} MB "
            "of output; return only the arrays the problem asks for."
        )
        not_run = "stopped: output too large"
    elif outcome.stage == "executor":  # crashed while running the compiled program
        status = "error"
        summary = "Your compiled program produced malformed output or crashed while running"
        summary += f" ({outcome.detail})." if outcome.detail else "."
        not_run = "stopped: the program crashed"
    else:  # crashed
        status = "error"
        summary = "Your program stopped without returning a result"
        summary += f" ({outcome.detail})." if outcome.detail else "."
        not_run = "stopped: the program exited early"
    if outcome.detail and outcome.kind not in ("crashed", "load_error"):
        summary += f" ({outcome.detail})"
    cases = [
        CaseResult.hidden_case(c.name, "error")
        if not c.visible
        else CaseResult(
            name=c.name,
            hidden=False,
            status="error",
            message=not_run,
            inputs=describe(p.inputs[c.name]),
        )
        for c in p.cases
    ]
    return GradeResult(
        status=status,
        score=0.0,
        summary=summary,
        cases=cases,
        error=error,
        **base,
    )
