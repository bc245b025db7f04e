"""Grading one submission: build the sandbox request, run it, and judge what came back.

The trusted side never parses, imports or runs the student's source: it hands the string
to a :class:`~grader.sandbox.protocol.SandboxRunner` and judges the returned arrays and
jaxpr facts against reference outputs computed by trusted code (:mod:`grader.refcache`).

A student's failure is a verdict (a :class:`GradeResult`); a platform fault always raises
a :class:`~grader.errors.GraderError` and is never a result: the worker retries it and
writes ``system_error`` only after its last try (:mod:`app.queue.claims`), and the CLI
exits non-zero.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from grader.cases import case_inputs
from grader.config import GraderSettings
from grader.errors import Cancelled, ProblemChanged, UnknownProblem
from grader.refcache import ReferenceCache
from grader.result import GradeResult, Mode, StudentError
from grader.sandbox.protocol import RunLimits, RunRequest, SandboxRunner
from grader.spec import CaseSpec, Problem, load_problems
from grader.transforms import Derived, derived_cases, derived_inputs
from grader.verdict import STDOUT_WITHHELD, PreparedRun, judge

__all__ = ["STDOUT_WITHHELD", "Grader"]

log = logging.getLogger(__name__)

Tree = Any


class Grader:
    """Grades submissions for the problems under ``settings.problems_dir``.

    Args:
        settings: paths, backend and limits.
        runner: the sandbox; by default a :class:`grader.sandbox.runner.ZygoteRunner`,
            created on first use (it pre-imports JAX, which takes a second or two).
        references: where reference outputs come from; by default a
            :class:`ReferenceCache` over ``settings.reference_cache_dir``.
    """

    def __init__(
        self,
        settings: GraderSettings,
        runner: SandboxRunner | None = None,
        *,
        references: ReferenceCache | None = None,
    ) -> None:
        self.settings = settings
        self._runner = runner
        self._owns_runner = runner is None
        self.references = references or ReferenceCache(settings)
        self._problems: dict[str, Problem] | None = None
        self._lock = threading.Lock()

    # -- problems and runner ------------------------------------------------------------

    @property
    def problems(self) -> dict[str, Problem]:
        if self._problems is None:
            self.reload_problems()
        assert self._problems is not None
        return self._problems

    def reload_problems(self) -> None:
        problems, errors = load_problems(self.settings.problems_dir)
        for error in errors:
            log.warning("problem not loaded: %s", error)
        self._problems = problems

    def problem(self, slug: str) -> Problem:
        """The problem named ``slug``, reloading from disk once if it is not known yet."""
        if slug not in self.problems:
            self.reload_problems()
        try:
            return self.problems[slug]
        except KeyError:
            valid = ", ".join(self.problems) or "none"
            raise UnknownProblem(f"no problem named {slug!r} (valid: {valid})") from None

    @property
    def runner(self) -> SandboxRunner:
        with self._lock:
            if self._runner is None:
                from grader.sandbox.runner import ZygoteRunner

                self._runner = ZygoteRunner(self.settings)
            return self._runner

    def warm_up(self) -> None:
        """Start the sandbox and fill the reference and compilation caches, ahead of the
        first submission. Safe to call from a background thread; logs and swallows
        failures because grading computes anything missing on demand anyway."""
        started = time.perf_counter()
        try:
            _ = self.runner
            counts = self.references.warm(self.problems.values(), solutions=True)
        except Exception:
            log.exception("warm-up failed; references will be computed on demand")
            return
        log.info(
            "warm-up done in %.1f s (reference cases computed: %s)",
            time.perf_counter() - started,
            counts,
        )

    def close(self) -> None:
        with self._lock:
            if self._runner is not None and self._owns_runner:
                self._runner.close()
                self._runner = None

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- grading ------------------------------------------------------------------------

    def grade(
        self,
        slug: str,
        code: str,
        mode: Mode = "submit",
        *,
        cancel: threading.Event | None = None,
        version: str | None = None,
    ) -> GradeResult:
        """Grade ``code`` for problem ``slug`` (at ``version``, its content hash, if given).

        Raises:
            Cancelled: ``cancel`` was set (before or while the sandbox ran; it was killed).
            UnknownProblem: no such problem.
            ProblemChanged: the folder is not ``version``, even after reloading it.
            SandboxFailure, ReferenceFailure, IsolationUnavailable: platform faults.
        """
        started = time.perf_counter()
        problem = self.problem(slug)
        if version is not None and problem.content_hash != version:
            self.reload_problems()  # edited since we loaded it?
            problem = self.problem(slug)
            if problem.content_hash != version:
                raise ProblemChanged(slug, version, problem.content_hash)
        rejected = self._reject_source(problem, code, mode)
        if rejected is not None:
            return rejected
        backend = self.settings.backend
        # Visible cases first. Only the executor ever gets input values; the runner gets
        # every case's signature (shapes, dtypes, static values).
        cases = tuple(sorted(problem.spec.cases_for(mode), key=lambda c: not c.visible))
        derived = tuple(derived_cases(problem.spec, mode))
        t_ref = time.perf_counter()
        expected = self.references.get(
            problem, cases, backend, derived=[d.name for d in derived if d.kind == "grad"]
        )
        reference_ms = (time.perf_counter() - t_ref) * 1000
        prepared = self._prepare(problem, code, mode, cases, derived, expected)
        t_run = time.perf_counter()
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        outcome = self.runner.run(prepared.request, prepared.limits, cancel=cancel)
        sandbox_ms = (time.perf_counter() - t_run) * 1000
        result = judge(prepared=prepared, outcome=outcome, expected=expected, mode=mode)
        timings = {
            **{k: float(v) for k, v in outcome.timings.items()},
            "reference_ms": round(reference_ms, 2),
            "sandbox_ms": round(sandbox_ms, 2),
            "total_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if prepared.request.hidden_cases:
            # Everything measured while the executor held hidden inputs (its time, its
            # memory, the whole run's, even the runner's time, which shares the CPU with
            # it) could encode them: only what no hidden value can move is kept.
            keep = ("spawn_ms", "runner_peak_memory_mb", "reference_ms")
            timings = {k: v for k, v in timings.items() if k in keep}
        result.timings = {k: v for k, v in timings.items() if math.isfinite(v)}
        result.backend = backend
        return result

    # -- steps --------------------------------------------------------------------------

    def _reject_source(self, problem: Problem, code: str, mode: Mode) -> GradeResult | None:
        limit = self.settings.limits.max_source_bytes
        size = len(code.encode("utf-8", errors="replace"))
        message = None
        if not code.strip():
            message = f"Your submission is empty: define `{problem.spec.entry_point}`."
        elif size > limit:
            message = (
                f"Your file is {size / 1024:.0f} KiB; submissions are limited to "
                f"{limit / 1024:.0f} KiB."
            )
        if message is None:
            return None
        return GradeResult(
            status="error",
            score=0.0,
            summary=message,
            problem=problem.slug,
            problem_version=problem.content_hash,
            mode=mode,
            backend=self.settings.backend,
            error=StudentError(type="SubmissionRejected", message=message),
        )

    def _prepare(
        self,
        problem: Problem,
        code: str,
        mode: Mode,
        cases: tuple[CaseSpec, ...],
        derived: tuple[Derived, ...],
        expected: dict[str, Tree],
    ) -> PreparedRun:
        spec = problem.spec
        inputs = {c.name: case_inputs(c.args, c.seed) for c in cases}
        extra = {
            d.name: derived_inputs(spec, d, inputs[d.base.name], expected[d.base.name])
            for d in derived
        }
        tolerance = spec.tolerance_for(self.settings.backend)
        visible = [(c.name, inputs[c.name]) for c in cases if c.visible]
        hidden = [(c.name, inputs[c.name]) for c in cases if not c.visible]
        visible += [(d.name, extra[d.name]) for d in derived if d.visible]
        hidden += [(d.name, extra[d.name]) for d in derived if not d.visible]
        request = RunRequest(
            source=code,
            entry_point=spec.entry_point,
            static_argnames=spec.static_argnames,
            cases=tuple(visible),
            backend=self.settings.backend,
            hidden_cases=tuple(hidden),
            rtol=tolerance.rtol,
            atol=tolerance.atol,
            transforms={d.name: d.transform for d in derived if d.transform is not None},
        )
        return PreparedRun(problem, cases, inputs, request, self.limits_for(problem), derived)

    def limits_for(self, problem: Problem) -> RunLimits:
        lim = self.settings.limits
        wall = min(lim.wall_time_s, lim.max_wall_time_s)
        if problem.spec.time_limit_s is not None:
            wall = min(wall, problem.spec.time_limit_s)
        return RunLimits.from_settings(lim, wall_time_s=wall)
