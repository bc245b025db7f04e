"""ReferenceCache: trusted outputs computed in a real subprocess, stored, reused, keyed."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from grader.config import GraderSettings
from grader.errors import ReferenceFailure
from grader.refcache import ReferenceCache, cache_key
from grader.spec import load_problem

from .conftest import FIXTURE_PROBLEMS


@pytest.fixture
def problem_copy(tmp_path: Path):
    """A private copy of the fixture problem that a test may edit."""
    directory = tmp_path / "problems" / "running-total"
    shutil.copytree(FIXTURE_PROBLEMS / "running-total", directory)
    return directory


def test_computes_once_then_reuses(settings: GraderSettings, fixture_problem):
    cache = ReferenceCache(settings)
    outputs = cache.get(fixture_problem, fixture_problem.spec.cases)
    assert cache.computed == 2
    np.testing.assert_allclose(outputs["small"], [1, 3, 6, 10])
    assert outputs["small"].dtype == np.float32
    # a fresh instance (another worker) finds the files and starts no process
    again = ReferenceCache(settings, python="/nonexistent/python")
    assert again.get(fixture_problem, fixture_problem.spec.cases)["small"].tolist() == [1, 3, 6, 10]
    assert again.computed == 0
    # the reference run filled the compilation cache that sandboxes will read
    assert any(settings.compilation_cache_dir.iterdir())


def test_key_changes_with_content_case_and_backend(problem_copy: Path):
    before = load_problem(problem_copy)
    ref = problem_copy / "reference.py"
    ref.write_text(ref.read_text().replace("total * scale", "total * scale * 2"))
    after = load_problem(problem_copy)
    assert before.content_hash != after.content_hash
    assert cache_key(before, "small", "cpu") != cache_key(after, "small", "cpu")
    assert cache_key(before, "small", "cpu") != cache_key(before, "small", "gpu")
    assert cache_key(before, "small", "cpu") != cache_key(before, "hidden-random", "cpu")


def test_changed_reference_is_recomputed(settings: GraderSettings, problem_copy: Path):
    cache = ReferenceCache(settings)
    first = load_problem(problem_copy)
    assert cache.get(first, first.spec.cases[:1])["small"].tolist() == [1, 3, 6, 10]
    ref = problem_copy / "reference.py"
    ref.write_text(ref.read_text().replace("total * scale", "total * scale * 2"))
    second = load_problem(problem_copy)
    assert cache.get(second, second.spec.cases[:1])["small"].tolist() == [2, 6, 12, 20]
    # each version's process computed all of the problem's cases, not just the one asked for
    assert cache.computed == 4


def test_failing_reference_raises_with_context(settings: GraderSettings, problem_copy: Path):
    (problem_copy / "reference.py").write_text(
        "def running_total(x, scale):\n    raise RuntimeError('boom')\n"
    )
    problem = load_problem(problem_copy)
    with pytest.raises(ReferenceFailure, match=r"(?s)running-total failed on case .small.*boom"):
        ReferenceCache(settings).get(problem, problem.spec.cases)


def test_concurrent_workers_compute_once(settings: GraderSettings, fixture_problem):
    caches = [ReferenceCache(settings) for _ in range(3)]
    results: list[dict] = []
    errors: list[BaseException] = []

    def work(cache: ReferenceCache) -> None:
        try:
            results.append(cache.get(fixture_problem, fixture_problem.spec.cases))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(c.computed for c in caches) == 2  # the flock made the others wait and reuse
    for r in results:
        np.testing.assert_array_equal(r["hidden-random"], results[0]["hidden-random"])
    leftovers = [p.name for p in (settings.reference_cache_dir / "running-total").iterdir()]
    assert not [n for n in leftovers if n.startswith(".tmp-")]


def test_warm_computes_every_case(settings: GraderSettings, fixture_problem):
    cache = ReferenceCache(settings)
    assert cache.warm([fixture_problem]) == {"running-total": 2}
    assert cache.warm([fixture_problem]) == {"running-total": 0}


def test_corrupt_file_is_a_reference_failure(settings: GraderSettings, fixture_problem):
    cache = ReferenceCache(settings)
    cache.get(fixture_problem, fixture_problem.spec.cases[:1])
    path = cache.path_for(fixture_problem, "small", "cpu")
    path.write_bytes(b"garbage")
    with pytest.raises(ReferenceFailure, match="unreadable"):
        ReferenceCache(settings).get(fixture_problem, fixture_problem.spec.cases[:1])


def test_warming_solutions_fills_the_compilation_cache(settings: GraderSettings, fixture_problem):
    cache = ReferenceCache(settings)
    cache.warm([fixture_problem])
    before = set(settings.compilation_cache_dir.iterdir())
    cache.warm([fixture_problem], solutions=True)
    after = set(settings.compilation_cache_dir.iterdir())
    assert after > before  # correct/scan.py lowers to programs the reference did not


HIT_PROBE = """
import logging, sys
from pathlib import Path
from grader.sandbox.child import configure_jax
configure_jax({"compilation_cache_dir": sys.argv[1]})
logging.basicConfig(level=logging.WARNING)
logging.getLogger("jax._src.compiler").setLevel(logging.DEBUG)
from grader import artifact, exporting
from grader.cases import case_inputs
from grader.refrun import load_trusted_function
from grader.sandbox import codec
from grader.spec import load_problem
problem = load_problem(Path(sys.argv[2]))
case = problem.spec.cases[0]
path = problem.directory / "solutions" / "correct" / "scan.py"
fn = load_trusted_function(path, problem.spec.entry_point, "probe_solution")
inputs = case_inputs(case.args, case.seed)
static, dynamic = codec.split_static(inputs, problem.spec.static_argnames)
sig = codec.decode_signature(codec.signature(dynamic))
data = exporting.export_entry(fn, static, sig, "cpu")
artifact.prepare(data, dynamic, "cpu")
"""


def test_sandbox_configured_process_hits_entries_written_by_refrun(
    settings: GraderSettings, fixture_problem
):
    """The cache key includes JAX settings and the program: what the trusted warm-up
    writes must be what the executor looks up for the same exported solution."""
    import os
    import subprocess
    import sys

    from grader.refrun import FAST_COMPILE_XLA_FLAG

    ReferenceCache(settings).warm([fixture_problem], solutions=True)
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "XLA_FLAGS": FAST_COMPILE_XLA_FLAG}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            HIT_PROBE,
            str(settings.compilation_cache_dir),
            str(fixture_problem.directory),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    misses = [line for line in proc.stderr.splitlines() if "CACHE MISS" in line]
    hits = [line for line in proc.stderr.splitlines() if "hit" in line.lower()]
    assert misses == [], misses
    assert hits, proc.stderr[-2000:]
