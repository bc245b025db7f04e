"""Fixtures for the sandbox tests: one real zygote runner per session, with canaries.

The data and problems directories are world-readable on purpose, so that a test only
passes if the sandbox's own layers (mount namespace, Landlock) hide them, not because
of file permissions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.config import GraderLimits, GraderSettings
from grader.sandbox.protocol import RunLimits, RunOutcome, RunRequest
from grader.sandbox.runner import ZygoteRunner

CANARY_ENV = "JAXDOJO_TEST_CANARY_ENV_5f1c2e"
CANARY_FILE = "jaxdojo-canary-file-9b7d41"
CANARY_REFERENCE = "jaxdojo-canary-reference-3a8e70"
CANARIES = (CANARY_ENV, CANARY_FILE, CANARY_REFERENCE)

CUMSUM = """
import jax.numpy as jnp
from jax import lax

def cumulative_sum(x):
    def step(carry, v):
        return carry + v, carry + v
    return lax.scan(step, jnp.zeros((), x.dtype), x)[1]
"""


def worker_uid_base(offset: int = 0) -> int:
    """A uid range of its own for each pytest-xdist worker (and each ``offset``): the uid
    pool's locks live in each session's own sandbox dir, so two workers sharing a range
    could lease the same uid at once and share its RLIMIT_NPROC budget."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    return 650000 + 1000 * index + 100 * offset


def limits(**overrides: Any) -> RunLimits:
    values: dict[str, Any] = {
        "wall_time_s": 30.0,
        "cpu_time_s": 60,
        "memory_mb": 1024,
        "max_output_bytes": 1 << 20,
    }
    values.update(overrides)
    return RunLimits.from_settings(GraderLimits(), **values)


def request(
    source: str,
    entry_point: str = "cumulative_sum",
    *,
    x: np.ndarray | None = None,
    cases: tuple[tuple[str, dict[str, Any]], ...] | None = None,
    static_argnames: tuple[str, ...] = (),
    hidden_cases: tuple[tuple[str, dict[str, Any]], ...] = (),
) -> RunRequest:
    if cases is None:
        arg = np.arange(6, dtype=np.float32) if x is None else x
        cases = (("small", {"x": arg}),)
    return RunRequest(
        source=source,
        entry_point=entry_point,
        static_argnames=static_argnames,
        cases=cases,
        hidden_cases=hidden_cases,
    )


def outcome_text(outcome: RunOutcome) -> str:
    """Everything in an outcome that a student or the database could ever see."""
    parts = [outcome.stdout, outcome.detail, repr(outcome.load_error), repr(outcome.isolation)]
    parts.append(repr(outcome.timings))
    for case in outcome.cases:
        parts.append(repr(case.error))
        parts.append(repr(case.facts))
        parts.append(repr(case.output))
        if case.output is not None:
            for leaf in _leaves(case.output):
                parts.append(leaf.tobytes().decode("latin1"))
    return "\n".join(parts)


def _leaves(tree: Any) -> Iterator[np.ndarray]:
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _leaves(v)
    elif isinstance(tree, list | tuple):
        for v in tree:
            yield from _leaves(v)
    elif isinstance(tree, np.ndarray):
        yield tree


def output(outcome: RunOutcome, index: int = 0) -> Any:
    """The decoded output of one case (which must exist)."""
    value = outcome.cases[index].output
    assert value is not None, outcome.cases[index]
    return value


def assert_cumsum_ok(outcome: RunOutcome, x: np.ndarray | None = None) -> None:
    arg = np.arange(6, dtype=np.float32) if x is None else x
    assert outcome.kind == "ok", (outcome.kind, outcome.detail, outcome.load_error, outcome.cases)
    np.testing.assert_allclose(output(outcome), np.cumsum(arg), rtol=1e-6)


@pytest.fixture(scope="session")
def sandbox_world() -> Iterator[dict[str, Path]]:
    base = Path(tempfile.mkdtemp(prefix="jaxdojo-sbx-test-"))
    os.chmod(base, 0o755)
    data = base / "data"
    problems = base / "problems" / "cumulative-sum"
    (data / "cache" / "references").mkdir(parents=True)
    problems.mkdir(parents=True)
    for directory in (
        base,
        data,
        data / "cache",
        data / "cache" / "references",
        problems.parent,
        problems,
    ):
        os.chmod(directory, 0o755)
    (data / "secrets.txt").write_text(CANARY_FILE)
    (data / "jaxdojo.sqlite").write_text(CANARY_FILE)
    (problems / "reference.py").write_text(f"# {CANARY_REFERENCE}\n")
    for f in (data / "secrets.txt", data / "jaxdojo.sqlite", problems / "reference.py"):
        os.chmod(f, 0o644)
    (base / "sandbox").mkdir(mode=0o711)
    yield {"base": base, "data": data, "problems": problems.parent, "sandbox": base / "sandbox"}
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def sandbox_settings(sandbox_world: dict[str, Path]) -> GraderSettings:
    return GraderSettings(
        data_dir=sandbox_world["data"],
        problems_dir=sandbox_world["problems"],
        sandbox_dir=sandbox_world["sandbox"],
        compilation_cache=False,
        sandbox_uid_base=worker_uid_base(),
        sandbox_uid_count=16,
    )


@contextlib.contextmanager
def canary_environment() -> Iterator[None]:
    """The worker's environment holds secrets (and a canary) while the sandbox starts."""
    saved = {k: os.environ.get(k) for k in (CANARY_ENV, "DATABASE_URL", "JAXDOJO_SECRET_KEY")}
    os.environ[CANARY_ENV] = CANARY_ENV
    os.environ["DATABASE_URL"] = f"sqlite:///{CANARY_ENV}"
    os.environ["JAXDOJO_SECRET_KEY"] = CANARY_ENV
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def runner(sandbox_settings: GraderSettings) -> Iterator[ZygoteRunner]:
    with canary_environment(), ZygoteRunner(sandbox_settings) as zygote_runner:
        yield zygote_runner
