"""The runner's progress reports: where a runner stopped by its time limit was busy.

The runner's watchdog thread samples its main thread's stack and reports, now and then,
whether the student's own Python was running or JAX was tracing their operations. That is
the word of a process that runs student code: it may word the timeout message, and a
forged report changes nothing else (a malformed one is a malformed stream, a crash).
"""

from __future__ import annotations

import numpy as np

from grader.sandbox.runner import ZygoteRunner
from tests.sandbox.conftest import CUMSUM, assert_cumsum_ok, limits, request

ENDLESS_IN_FUNCTION = """import jax.numpy as jnp

def cumulative_sum(x):
    while True:
        pass
"""

ENDLESS_AT_IMPORT = """import jax.numpy as jnp

n = 0
while n >= 0:
    n += 1

def cumulative_sum(x):
    return jnp.cumsum(x)
"""

# Ten million steps, each one more operation in the program: JAX is still tracing when
# the time limit stops it.
UNROLLED = """import jax.numpy as jnp

def cumulative_sum(x):
    y = x
    for i in range(10**7):
        y = y + x
    return y
"""


def test_an_endless_loop_in_the_function_is_the_students_own_python(
    runner: ZygoteRunner,
) -> None:
    outcome = runner.run(request(ENDLESS_IN_FUNCTION), limits(wall_time_s=2.5))
    assert outcome.kind == "timeout" and outcome.stage == "runner", outcome
    assert outcome.hint_where == "student", outcome
    assert outcome.hint_line in (4, 5), outcome  # the `while True:` loop (and its body)


def test_an_endless_loop_at_import_time_is_the_students_own_python(
    runner: ZygoteRunner,
) -> None:
    outcome = runner.run(request(ENDLESS_AT_IMPORT), limits(wall_time_s=2.5))
    assert outcome.kind == "timeout" and outcome.stage == "runner", outcome
    assert outcome.hint_where == "student", outcome
    assert outcome.hint_line in (4, 5), outcome


def test_a_huge_unrolled_loop_is_still_being_traced(runner: ZygoteRunner) -> None:
    outcome = runner.run(request(UNROLLED), limits(wall_time_s=3.0))
    assert outcome.kind == "timeout" and outcome.stage == "runner", outcome
    assert outcome.hint_where == "tracing", outcome
    assert outcome.hint_line == 6, outcome  # `y = y + x`, where the operations come from


def test_progress_reports_during_a_slow_but_honest_build_are_accepted(
    runner: ZygoteRunner,
) -> None:
    # Slow enough to build that reports interleave with the artifacts of three
    # signatures; the stream stays valid and a finished run carries no hint.
    source = CUMSUM.replace("def step", "import time; time.sleep(0.7)\n    def step")
    cases = tuple((f"c{n}", {"x": np.ones(n, np.float32)}) for n in (2, 3, 4))
    outcome = runner.run(request(source, cases=cases), limits(wall_time_s=20.0))
    assert outcome.kind == "ok", (outcome.kind, outcome.detail)
    assert outcome.hint_where is None and outcome.hint_line is None
    np.testing.assert_allclose(outcome.cases[2].output, np.arange(1, 5))


def test_a_forged_report_changes_no_verdict(runner: ZygoteRunner) -> None:
    # The student's code makes the watchdog claim a place of its choosing: a correct
    # program still produces its outputs, and no hint outlives a finished run.
    forge = (
        "import time\n"
        "import grader.sandbox.child as child\n"
        "child.ProgressWatchdog.sample = lambda self: ('student', 99)\n"
        "time.sleep(1.2)\n"
    )
    outcome = runner.run(request(forge + CUMSUM), limits())
    assert_cumsum_ok(outcome)
    assert outcome.hint_where is None


def test_a_garbage_report_is_a_malformed_stream(runner: ZygoteRunner) -> None:
    forge = (
        "import time\n"
        "import grader.sandbox.child as child\n"
        "child.ProgressWatchdog.sample = lambda self: ('passed', 1)\n"
        "time.sleep(1.2)\n"
    )
    # A 5 s limit: the runner samples from the start (the last 6 s before the limit).
    outcome = runner.run(request(forge + CUMSUM), limits(wall_time_s=5.0))
    assert outcome.kind == "crashed" and outcome.stage == "runner", outcome
    assert "malformed" in outcome.detail and outcome.cases == []
    assert outcome.hint_where is None


def test_an_ordinary_run_is_never_sampled(runner: ZygoteRunner) -> None:
    """Reading another thread's frames can crash CPython 3.11: with the usual 20 s limit
    the watchdog waits 14 s, so a run done in moments never has its stack read (here the
    sampler would send garbage, which would make the stream malformed)."""
    forge = (
        "import time\n"
        "import grader.sandbox.child as child\n"
        "child.ProgressWatchdog.sample = lambda self: ('passed', 1)\n"
        "time.sleep(1.2)\n"
    )
    outcome = runner.run(request(forge + CUMSUM), limits(wall_time_s=20.0))
    assert_cumsum_ok(outcome)
