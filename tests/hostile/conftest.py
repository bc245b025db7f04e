"""Fixtures of the hostile suite.

The RunOutcome-level tests reuse the sandbox fixtures (one real zygote runner per
session). The graded tests use a real :class:`grader.grade.Grader` over copies of the real
problems, with canaries planted where no submission may reach: the worker's environment,
a secret in the data directory, the reference solution, and the XLA compilation cache
(which only the executor may read). Everything is world-readable on purpose, so only the
sandbox's own layers keep it away.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.config import REPO_ROOT, GraderSettings
from grader.grade import Grader
from grader.result import GradeResult, Mode
from grader.sandbox.runner import ZygoteRunner
from tests.sandbox.conftest import (
    CANARIES,
    CANARY_FILE,
    CANARY_REFERENCE,
    canary_environment,
    runner,
    sandbox_settings,
    sandbox_world,
    worker_uid_base,
)

__all__ = ["runner", "sandbox_settings", "sandbox_world"]

CANARY_XLA = "jaxdojo-canary-xla-cache-61d0c4"
GRADED_CANARIES = (*CANARIES, CANARY_XLA)
SLUG = "cumulative-sum"
CANARY_CACHE_FILE = "jaxdojo-canary-entry-cache"


def correct_solution(slug: str = SLUG) -> str:
    return (REPO_ROOT / "problems" / slug / "solutions" / "correct" / "closure_step.py").read_text()


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` and a hash of each file, except the uid pool's locks
    (the trusted side's own bookkeeping)."""
    state = {}
    for path in sorted(root.rglob("*")):
        if "uids" in path.relative_to(root).parts[:2]:
            continue
        if path.is_file() and not path.is_symlink():
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[str(path)] = "dir" if path.is_dir() else "other"
    return state


def _world_readable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = os.lstat(path).st_mode
        if stat.S_ISDIR(mode):
            os.chmod(path, 0o755)
        elif stat.S_ISREG(mode):
            os.chmod(path, 0o644)


@pytest.fixture(scope="session")
def graded_world() -> Iterator[dict[str, Path]]:
    base = Path(tempfile.mkdtemp(prefix="jaxdojo-graded-test-"))
    problems = base / "problems"
    shutil.copytree(REPO_ROOT / "problems" / SLUG, problems / SLUG)
    reference = problems / SLUG / "reference.py"
    reference.write_text(reference.read_text() + f"\n# {CANARY_REFERENCE}\n")
    data = base / "data"
    data.mkdir()
    (data / "secrets.txt").write_text(CANARY_FILE)
    (data / "jaxdojo.sqlite").write_text(CANARY_FILE)
    sandbox = base / "sandbox"
    sandbox.mkdir()
    _world_readable(base)
    os.chmod(sandbox, 0o711)
    yield {"base": base, "data": data, "problems": problems, "sandbox": sandbox}
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def graded_settings(graded_world: dict[str, Path]) -> GraderSettings:
    return GraderSettings(
        data_dir=graded_world["data"],
        problems_dir=graded_world["problems"],
        sandbox_dir=graded_world["sandbox"],
        compilation_cache=True,
        # Not the range of the session's plain runner: both hold uids at once.
        sandbox_uid_base=worker_uid_base(1),
        sandbox_uid_count=16,
    )


@pytest.fixture(scope="session")
def real_grader(graded_settings: GraderSettings) -> Iterator[Grader]:
    """A warm Grader: references computed, compilation cache filled, canary planted."""
    with canary_environment(), Grader(graded_settings) as grader:
        for mode in ("run", "submit"):
            result = grader.grade(SLUG, correct_solution(), mode)
            assert result.status == "passed", result.summary
        cache = graded_settings.compilation_cache_dir
        assert any(cache.iterdir()), "the compilation cache was not filled"
        (cache / CANARY_CACHE_FILE).write_text(CANARY_XLA)
        _world_readable(cache)
        yield grader


@pytest.fixture
def graded(real_grader: Grader, graded_world: dict[str, Path]) -> Iterator[Grader]:
    """The real grader, checked after the test: nothing outside the sandbox changed, the
    zygote survived with no process of the run left, and a correct submission passes."""
    before = snapshot(graded_world["base"])
    runner = real_grader.runner
    assert isinstance(runner, ZygoteRunner)
    zygote = runner.zygote_info["pid"]
    yield real_grader
    assert snapshot(graded_world["base"]) == before, "a file outside the sandbox changed"
    assert runner.zygote_info["pid"] == zygote, "the zygote had to be restarted"
    children = Path(f"/proc/{zygote}/task/{zygote}/children").read_text().strip()
    assert children == "", "a process of the run survived it"
    result = real_grader.grade(SLUG, correct_solution(), "submit")
    assert result.status == "passed", result.summary


def assert_student_verdict(result: GradeResult) -> None:
    """Not passed, a verdict of the student's (never a platform fault), nothing leaked."""
    assert result.status not in ("passed", "system_error"), (result.status, result.summary)
    shown = result.model_dump_json()
    for canary in GRADED_CANARIES:
        assert canary not in shown, f"canary {canary} leaked into the result"


def grade_hostile(grader: Grader, code: str, mode: Mode = "submit") -> GradeResult:
    """Grade ``code``; ``grade`` raising (a platform fault, which would be retried) fails
    the test, and so does a verdict that passed, a system error or a leaked canary."""
    result = grader.grade(SLUG, code, mode)
    assert_student_verdict(result)
    return result
