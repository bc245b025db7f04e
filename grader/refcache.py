"""Reference outputs, computed once per (problem version, case, backend, library versions).

Outputs are computed by trusted code in a separate process (``python -m grader.refrun``),
one process per batch of missing cases of one problem, and stored with :mod:`grader.wire`
under ``settings.reference_cache_dir``. Workers on one host share the directory: files are
written to a temp name and renamed into place, and a per-problem ``flock`` makes
concurrent workers wait for one computation instead of repeating it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.cases import CASES_VERSION
from grader.config import REPO_ROOT, GraderSettings
from grader.errors import ReferenceFailure
from grader.spec import CaseSpec, Problem
from grader.transforms import grad_cases
from grader.wire import WireError, decode_tree

log = logging.getLogger(__name__)

Tree = Any

# The versions that can change a reference output (or its compiled form).
_VERSIONED = ("jax", "jaxlib", "flax", "numpy")
# Reference outputs are trusted but still read with a cap: a corrupt file must not OOM us.
MAX_REFERENCE_BYTES = 256 * 1024 * 1024


@cache
def library_versions() -> str:
    """'jax=0.10.2,jaxlib=0.10.2,flax=0.12.8,numpy=2.4.6' without importing any of them."""
    parts = []
    for name in _VERSIONED:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=none")
    return ",".join(parts)


def cache_key(problem: Problem, case_name: str, backend: str) -> str:
    raw = "|".join(
        [problem.content_hash, case_name, backend, library_versions(), f"cases={CASES_VERSION}"]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class ReferenceCache:
    """Reference outputs for a problem's cases; computes what is missing, reuses the rest."""

    def __init__(
        self,
        settings: GraderSettings,
        *,
        python: str = sys.executable,
        timeout_s: float = 900.0,
        memo_entries: int = 256,
    ) -> None:
        self.settings = settings
        self.python = python
        self.timeout_s = timeout_s
        self._memo: dict[str, Tree] = {}
        self._memo_entries = memo_entries
        self._lock = threading.Lock()
        self.computed = 0  # cases computed by this instance (for tests and logs)

    # -- paths -------------------------------------------------------------------------

    def path_for(self, problem: Problem, case_name: str, backend: str) -> Path:
        key = cache_key(problem, case_name, backend)
        return self.settings.reference_cache_dir / problem.slug / f"{key}.jxw"

    # -- public API --------------------------------------------------------------------

    def get(
        self,
        problem: Problem,
        cases: Sequence[CaseSpec],
        backend: str | None = None,
        *,
        derived: Sequence[str] = (),
    ) -> dict[str, Tree]:
        """``{case name: reference output}`` for ``cases`` and the ``derived`` gradient
        cases (``grad:<case>``, :mod:`grader.transforms`), computing any that are missing.

        Raises:
            ReferenceFailure: the reference solution failed, or its process did.
        """
        backend = backend or self.settings.backend
        names = [c.name for c in cases] + list(derived)
        paths = {name: self.path_for(problem, name, backend) for name in names}
        if any(not path.is_file() for path in paths.values()):
            with self._problem_lock(problem.slug):
                # One process per problem: starting it (importing JAX) costs more than
                # computing every case, so compute all of the problem's missing cases now.
                wanted = [c.name for c in problem.spec.cases]
                wanted += [d.name for d in grad_cases(problem.spec, "submit")]
                wanted += [n for n in names if n not in wanted]
                every = {name: self.path_for(problem, name, backend) for name in wanted}
                still = [name for name in wanted if not every[name].is_file()]
                if still:
                    self._compute(problem, still, backend, every)
        return {name: self._read(problem, name, path) for name, path in paths.items()}

    def warm(
        self,
        problems: Iterable[Problem],
        backend: str | None = None,
        *,
        solutions: bool = False,
    ) -> dict[str, int]:
        """Compute every case of every problem ahead of time; returns cases computed each.

        With ``solutions``, also compile each problem's known-correct solutions on every
        case (in the trusted runner) so that the compilation cache holds their programs.
        """
        counts: dict[str, int] = {}
        for problem in problems:
            before = self.computed
            grads = [d.name for d in grad_cases(problem.spec, "submit")]
            self.get(problem, problem.spec.cases, backend, derived=grads)
            counts[problem.slug] = self.computed - before
            if solutions and self.settings.compilation_cache:
                with self._problem_lock(problem.slug):
                    self._compute(problem, [], backend or self.settings.backend, {}, True)
        return counts

    # -- internals ---------------------------------------------------------------------

    @contextmanager
    def _problem_lock(self, slug: str) -> Iterator[None]:
        directory = self.settings.reference_cache_dir / slug
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock, open(directory / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _read(self, problem: Problem, name: str, path: Path) -> Tree:
        key = str(path)
        if key in self._memo:
            return self._memo[key]
        try:
            tree = decode_tree(path.read_bytes(), max_bytes=MAX_REFERENCE_BYTES)
        except (OSError, WireError) as exc:
            raise ReferenceFailure(
                f"reference output for {problem.slug}/{name} at {path} is unreadable: {exc}"
            ) from exc
        if len(self._memo) >= self._memo_entries:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = tree
        return tree

    def _compute(
        self,
        problem: Problem,
        cases: Sequence[str],
        backend: str,
        paths: dict[str, Path],
        warm_solutions: bool = False,
    ) -> None:
        cache_dir = self.settings.compilation_cache_dir if self.settings.compilation_cache else None
        request = {
            "problem_dir": str(problem.directory),
            "content_hash": problem.content_hash,
            "backend": backend,
            "compilation_cache_dir": str(cache_dir) if cache_dir else None,
            "fast_compile": self.settings.xla_fast_compile,
            "cases": [{"name": name, "path": str(paths[name])} for name in cases],
            "warm_solutions": warm_solutions,
        }
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        names = ", ".join(cases)
        log.info("computing reference outputs for %s: %s", problem.slug, names)
        try:
            proc = subprocess.run(
                [self.python, "-m", "grader.refrun"],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                env=env,
                cwd=str(REPO_ROOT),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReferenceFailure(
                f"reference run for {problem.slug} ({names}) took over {self.timeout_s:.0f} s"
            ) from exc
        except OSError as exc:
            raise ReferenceFailure(f"could not start the reference runner: {exc}") from exc
        reply = _parse_reply(proc.stdout)
        if reply is None:
            raise ReferenceFailure(
                f"reference runner for {problem.slug} exited with {proc.returncode} and no "
                f"reply; stderr: {proc.stderr[-2000:]}"
            )
        for label, state in (reply.get("warmed") or {}).items():
            if state != "ok":
                log.warning("warming %s/%s failed: %s", problem.slug, label, state)
        errors = reply.get("errors") or {}
        self.computed += len(reply.get("written") or [])
        if errors:
            first, text = next(iter(errors.items()))
            raise ReferenceFailure(
                f"reference solution of {problem.slug} failed on case {first!r} "
                f"({len(errors)} case(s) failed): {text}"
            )
        absent = [name for name in cases if not paths[name].is_file()]
        if absent:
            raise ReferenceFailure(
                f"reference runner for {problem.slug} did not write {', '.join(absent)}"
            )


def _parse_reply(stdout: str) -> dict[str, Any] | None:
    # The reference may print; the runner's reply is the last line.
    for line in reversed(stdout.strip().splitlines()):
        try:
            reply = json.loads(line)
        except ValueError:
            continue
        if isinstance(reply, dict) and "written" in reply:
            return reply
    return None
