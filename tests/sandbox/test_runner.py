"""The zygote runner on ordinary submissions: results, student errors, limits, isolation."""

from __future__ import annotations

import os

import numpy as np
import pytest

from grader.config import GraderSettings
from grader.errors import IsolationUnavailable
from grader.sandbox import doctor
from grader.sandbox.runner import FreshProcessRunner, ZygoteRunner, sandbox_env
from tests.sandbox.conftest import (
    CANARY_ENV,
    CUMSUM,
    assert_cumsum_ok,
    limits,
    outcome_text,
    output,
    request,
)


def test_correct_program_returns_outputs_facts_and_stdout(runner: ZygoteRunner) -> None:
    source = CUMSUM.replace("def step", "print('tracing', x.shape)\n    def step")
    cases = (
        ("small", {"x": np.arange(6, dtype=np.float32)}),
        ("short", {"x": np.ones(8, np.float32)}),
        ("long", {"x": np.ones(16, np.float32)}),
    )
    outcome = runner.run(request(source, cases=cases), limits())
    assert_cumsum_ok(outcome)
    assert output(outcome).dtype == np.float32
    np.testing.assert_allclose(output(outcome, 2), np.arange(1, 17))
    assert [c.name for c in outcome.cases] == ["small", "short", "long"]
    for case in outcome.cases:
        assert case.time_ms is not None and case.time_ms > 0
        # The executor's facts, from each case's own exported program.
        assert case.facts is not None and case.facts.loops == 1, case
        assert case.facts.op_counts.get("stablehlo.while") == 1
        assert case.loop_matters is True
    counts = {c.facts.op_count for c in outcome.cases if c.facts is not None}
    assert len(counts) == 1, counts  # a scan's program does not grow with T
    # Traced once per signature, in the runner (its stdout).
    assert "tracing (6,)" in outcome.stdout and "tracing (16,)" in outcome.stdout
    assert outcome.stage == ""
    assert outcome.timings["wall_ms"] > 0 and outcome.timings["runner_ms"] > 0


def test_cases_with_one_signature_share_one_export(runner: ZygoteRunner) -> None:
    source = CUMSUM.replace("def step", "print('tracing', x.shape)\n    def step")
    cases = (
        ("a", {"x": np.arange(6, dtype=np.float32)}),
        ("b", {"x": np.full(6, 2.0, np.float32)}),
    )
    outcome = runner.run(request(source, cases=cases), limits())
    assert_cumsum_ok(outcome)
    np.testing.assert_allclose(output(outcome, 1), np.cumsum(np.full(6, 2.0)))
    assert outcome.stdout.count("tracing") == 1, outcome.stdout


def test_static_args_tuple_outputs_and_dict_inputs(runner: ZygoteRunner) -> None:
    source = """
import jax.numpy as jnp
from jax import lax

def rnn_forward(params, h0, xs, n):
    def step(h, x):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x + params["b"])
        return h, h
    h, hs = lax.scan(step, h0, xs)
    return h, {"hs": hs, "n": jnp.arange(n)}
"""
    rng = np.random.default_rng(0)
    args = {
        "params": {
            "W_hh": rng.standard_normal((3, 3)).astype(np.float32),
            "W_xh": rng.standard_normal((3, 2)).astype(np.float32),
            "b": np.zeros(3, np.float32),
        },
        "h0": np.zeros(3, np.float32),
        "xs": rng.standard_normal((4, 2)).astype(np.float32),
        "n": 5,
    }
    req = request(source, "rnn_forward", cases=(("c", args),), static_argnames=("n",))
    outcome = runner.run(req, limits())
    assert outcome.kind == "ok", outcome
    h, rest = output(outcome)
    assert h.shape == (3,) and rest["hs"].shape == (4, 3)
    np.testing.assert_array_equal(rest["n"], np.arange(5))


def test_syntax_error_is_a_load_error_with_its_line(runner: ZygoteRunner) -> None:
    outcome = runner.run(request("import jax\n\ndef cumulative_sum(x)\n    return x\n"), limits())
    assert outcome.kind == "load_error"
    assert outcome.load_error is not None
    assert outcome.load_error.type == "SyntaxError" and outcome.load_error.lineno == 3


def test_missing_entry_point_names_expected_and_defined(runner: ZygoteRunner) -> None:
    source = "def cumsum(x):\n    return x\n\ndef helper():\n    pass\n"
    outcome = runner.run(request(source), limits())
    assert outcome.kind == "load_error" and outcome.load_error is not None
    assert outcome.load_error.type == "MissingEntryPoint"
    assert "cumulative_sum" in outcome.load_error.message
    assert "cumsum" in outcome.load_error.message and "helper" in outcome.load_error.message


def test_import_time_exception_is_a_load_error(runner: ZygoteRunner) -> None:
    outcome = runner.run(request("import jax\nraise RuntimeError('boom')\n"), limits())
    assert outcome.kind == "load_error" and outcome.load_error is not None
    assert outcome.load_error.lineno == 2 and "boom" in outcome.load_error.message


def test_exception_in_case_has_student_line_and_only_student_frames(
    runner: ZygoteRunner,
) -> None:
    source = """import jax.numpy as jnp

def helper(x):
    return int(x[0])

def cumulative_sum(x):
    y = x * 2
    return helper(y)
"""
    outcome = runner.run(request(source), limits())
    assert outcome.kind == "ok"
    case = outcome.cases[0]
    error = case.error
    assert error is not None and case.output is None
    # Raised while the runner traced the function for export: no program was built.
    assert case.facts is None and case.loop_matters is None
    assert error.lineno == 4
    assert "submission.py" in error.traceback and "line 8" in error.traceback
    assert "jax/_src" not in error.traceback and "grader" not in error.traceback


def test_vmap_calls_are_counted_while_tracing(runner: ZygoteRunner) -> None:
    source = CUMSUM + "\nimport jax\nbatched = jax.vmap(cumulative_sum)\n"
    source += "def batched_running_sum(x_batch):\n    return batched(x_batch)\n"
    x = np.ones((3, 4), np.float32)
    cases = (("c", {"x_batch": x}), ("d", {"x_batch": np.ones((5, 4), np.float32)}))
    req = request(source, "batched_running_sum", cases=cases)
    outcome = runner.run(req, limits())
    assert outcome.kind == "ok"
    assert [c.vmap_calls for c in outcome.cases] == [1, 1]
    np.testing.assert_allclose(output(outcome), np.cumsum(x, axis=1))
    plain = "import jax.numpy as jnp\n\ndef batched_running_sum(x_batch):\n"
    plain += "    return jnp.cumsum(x_batch, axis=1)\n"
    no_vmap = runner.run(request(plain, "batched_running_sum", cases=cases[:1]), limits())
    assert no_vmap.kind == "ok" and no_vmap.cases[0].vmap_calls == 0


@pytest.mark.parametrize(
    "body",
    ["    while True:\n        pass\n", "    import time\n    time.sleep(60)\n"],
    ids=["busy-loop", "sleep"],
)
def test_timeout_kills_the_run(runner: ZygoteRunner, body: str) -> None:
    outcome = runner.run(request(f"def cumulative_sum(x):\n{body}"), limits(wall_time_s=2.0))
    assert outcome.kind == "timeout" and outcome.stage == "runner"
    assert outcome.timings["wall_ms"] < 6000
    assert_cumsum_ok(runner.run(request(CUMSUM), limits()))


def test_cpu_limit_is_a_timeout(runner: ZygoteRunner) -> None:
    source = "def cumulative_sum(x):\n    while True:\n        pass\n"
    outcome = runner.run(request(source), limits(wall_time_s=20.0, cpu_time_s=1))
    assert outcome.kind == "timeout"
    assert "CPU" in outcome.detail


@pytest.mark.parametrize(
    "body",
    [
        "    blocks = []\n    while True:\n        blocks.append(bytearray(64 << 20))\n",
        "    import numpy as np\n    return np.ones((1 << 30,), np.float64)\n",
    ],
    ids=["bytearrays", "numpy"],
)
def test_memory_hog_is_a_memory_outcome(runner: ZygoteRunner, body: str) -> None:
    outcome = runner.run(request(f"def cumulative_sum(x):\n{body}"), limits(memory_mb=512))
    assert outcome.kind == "memory", (outcome.kind, outcome.detail)


LAYERS = (
    "netns",
    "mountns",
    "pidns",
    "setsid",
    "pdeathsig",
    "scratch_dir",
    "no_new_privs",
    "cgroup_memory",
    "cgroup_pids",
    "rlimits",
    "landlock",
    "seccomp",
    "uid",
    "uid_drop",
)


def test_isolation_layers_are_recorded_for_both_processes(runner: ZygoteRunner) -> None:
    outcome = runner.run(request(CUMSUM), limits())
    assert_cumsum_ok(outcome)
    iso = outcome.isolation
    assert set(iso) == {"sandbox", "runner", "executor"}
    assert iso["sandbox"] == "zygote"
    report = runner.isolation_report()
    for role in ("runner", "executor"):
        layers = iso[role]
        assert layers["env_allowlist"] is True, role
        for key in LAYERS:
            assert key in layers, (role, key)
        for layer in ("netns", "mountns", "landlock", "seccomp", "cgroup_memory", "cgroup_pids"):
            assert bool(layers[layer]) == bool(report[layer]), (role, layer)
    if os.geteuid() == 0:
        uids = [iso[role]["uid"] for role in ("runner", "executor")]
        # Each process of a run drops to a uid of its own, leased from the pool.
        assert all(str(u).isdigit() and int(u) > 0 for u in uids), uids
        assert uids[0] != uids[1], uids
        base, count = runner.settings.sandbox_uid_base, runner.settings.sandbox_uid_count
        assert all(base <= int(u) < base + count for u in uids), uids
        assert iso["runner"]["uid_drop"] is True and iso["executor"]["uid_drop"] is True
        assert iso["runner"]["pidns"] is True and iso["executor"]["pidns"] is True


def test_environment_is_an_allowlist(runner: ZygoteRunner) -> None:
    source = """
import os
import jax.numpy as jnp

def cumulative_sum(x):
    print(sorted(os.environ.items()))
    return jnp.cumsum(x)
"""
    outcome = runner.run(request(source), limits())
    assert_cumsum_ok(outcome)
    assert CANARY_ENV not in outcome_text(outcome)
    assert "DATABASE_URL" not in outcome.stdout and "SECRET" not in outcome.stdout
    env = sandbox_env(runner.settings, runner.sandbox_root)
    assert CANARY_ENV not in env and "DATABASE_URL" not in env
    assert env["JAX_PLATFORMS"] == "cpu" and env["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"


def test_nnx_and_linen_programs_run(runner: ZygoteRunner) -> None:
    source = """
import jax
import jax.numpy as jnp
from flax import nnx

def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))
    def step(carry, xt):
        carry, _ = cell(carry, xt)
        return carry, None
    carry, _ = jax.lax.scan(step, jnp.zeros((hidden,)), x[:T])
    return carry
"""
    args = {"seed": 0, "x": np.ones((6, 3), np.float32), "hidden": 4, "T": 5}
    req = request(
        source, "scan_rnn_forward", cases=(("c", args),), static_argnames=("seed", "hidden", "T")
    )
    outcome = runner.run(req, limits())
    assert outcome.kind == "ok", outcome
    assert output(outcome).shape == (4,)


def test_two_runs_at_once_from_threads(runner: ZygoteRunner) -> None:
    from concurrent.futures import ThreadPoolExecutor

    xs = [np.arange(n, dtype=np.float32) for n in (3, 7, 5, 9)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda x: runner.run(request(CUMSUM, x=x), limits()), xs))
    for x, outcome in zip(xs, outcomes, strict=True):
        assert_cumsum_ok(outcome, x)


def test_zygote_is_restarted_after_it_dies(sandbox_settings: GraderSettings) -> None:
    import signal

    with ZygoteRunner(sandbox_settings) as own:
        first = own.zygote_info["pid"]
        os.kill(first, signal.SIGKILL)
        assert_cumsum_ok(own.run(request(CUMSUM), limits()))
        assert own.zygote_info["pid"] != first


def test_full_isolation_is_enforced_when_required(sandbox_settings: GraderSettings) -> None:
    settings = sandbox_settings.model_copy(update={"require_full_isolation": True})
    with ZygoteRunner(settings) as strict:
        if doctor.missing_layers(strict.layers):
            with pytest.raises(IsolationUnavailable):
                strict.run(request(CUMSUM), limits())
            return
        assert_cumsum_ok(strict.run(request(CUMSUM), limits()))
        strict.layers["seccomp"] = False
        with pytest.raises(IsolationUnavailable, match="seccomp"):
            strict.run(request(CUMSUM), limits())


@pytest.mark.slow
def test_fresh_process_runner_gives_the_same_result(sandbox_settings: GraderSettings) -> None:
    hidden = np.array([5.0, -1.0, 2.5], np.float32)
    with FreshProcessRunner(sandbox_settings) as fresh:
        outcome = fresh.run(request(CUMSUM), limits())
        with_hidden = fresh.run(request(CUMSUM, hidden_cases=(("h", {"x": hidden}),)), limits())
    assert_cumsum_ok(outcome)
    assert outcome.isolation["sandbox"] == "fresh"
    assert outcome.isolation["runner"]["netns"] and outcome.isolation["executor"]["netns"]
    assert_cumsum_ok(with_hidden)
    assert [c.name for c in with_hidden.cases] == ["small", "h"]
    np.testing.assert_allclose(output(with_hidden, 1), np.cumsum(hidden), rtol=1e-6)


# ---------------------------------------------------------------- hidden inputs

# Values that appear in no visible input: the runner must never hold any of them.
PLANTED = (12345.678, 23456.789, 34567.891)

# Looks everywhere the runner could hold input values: its stdin, every descriptor it
# holds (the job pipe is drained by then; anything still readable is read), the
# interpreter's objects and the frames above it, and its scratch dir. Prints what it found.
HUNT = """
import gc, os, select, sys
import numpy as np
import jax.numpy as jnp
from jax import lax

PLANTED = {planted!r}


def _floats(data):
    out = []
    for off in range(8):
        for dtype in ("<f4", "<f8"):
            size = np.dtype(dtype).itemsize
            n = (len(data) - off) // size
            if n > 0:
                out += np.frombuffer(data[off:off + n * size], dtype).tolist()
    return out


def _hits(values):
    values = [v for v in values if isinstance(v, float)]  # masked arrays hold None
    return sorted({{p for v in values for p in PLANTED if abs(v - p) < 0.01}})


def _hunt():
    found = []
    for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            if poller.poll(200):
                found += _floats(os.read(fd, 1 << 22))
        except OSError:
            pass
    for obj in gc.get_objects():
        if isinstance(obj, np.ndarray) and obj.dtype.kind == "f":
            found += obj.reshape(-1)[:4096].astype(float).tolist()
        elif isinstance(obj, (bytes, bytearray)) and len(obj) >= 4:
            found += _floats(bytes(obj[: 1 << 20]))
        elif isinstance(obj, float):
            found.append(obj)
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, float):
                found.append(value)
        frame = frame.f_back
    for name in os.listdir("."):
        try:
            found += _floats(open(name, "rb").read())
        except OSError:
            pass
    return _hits(found)


print("import hits", _hunt())


def cumulative_sum(x):
    print("call hits", x.shape, _hunt())
    return lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]
"""


def test_the_runner_never_holds_an_input_value(runner: ZygoteRunner) -> None:
    hidden = (
        ("h1", {"x": np.array(PLANTED, np.float32)}),
        ("h2", {"x": np.array([*PLANTED, *PLANTED], np.float32)}),
    )
    visible = np.array([*PLANTED, 1.0], np.float32)  # visible values stay out of it too
    cases = (("small", {"x": visible}),)
    outcome = runner.run(
        request(HUNT.format(planted=PLANTED), cases=cases, hidden_cases=hidden), limits()
    )
    assert outcome.kind == "ok", (outcome.kind, outcome.detail, outcome.load_error)
    assert "import hits []" in outcome.stdout, outcome.stdout
    lines = outcome.stdout.splitlines()
    assert lines == [
        "import hits []",
        "call hits (4,) []",
        "call hits (3,) []",
        "call hits (6,) []",
    ], outcome.stdout  # traced once per signature; the values were nowhere
    # The executor ran every case, hidden ones included, on the real values.
    assert [c.name for c in outcome.cases] == ["small", "h1", "h2"]
    np.testing.assert_allclose(output(outcome, 0), np.cumsum(visible), rtol=1e-5)
    np.testing.assert_allclose(output(outcome, 1), np.cumsum(PLANTED), rtol=1e-5)
    np.testing.assert_allclose(output(outcome, 2), np.cumsum([*PLANTED, *PLANTED]), rtol=1e-5)


def test_the_hunt_would_find_a_value_it_was_given(runner: ZygoteRunner) -> None:
    # The hunt is not vacuous: a planted value the runner does hold (a static argument,
    # which is part of the signature) is found.
    source = HUNT.format(planted=PLANTED).replace("def cumulative_sum(x):", "def f(x, s):")
    source = source.replace("return lax.scan", "return s * lax.scan")
    cases = (("c", {"x": np.ones(3, np.float32), "s": PLANTED[0]}),)
    req = request(source, "f", cases=cases, static_argnames=("s",))
    outcome = runner.run(req, limits())
    assert outcome.kind == "ok", outcome
    assert f"call hits (3,) [{PLANTED[0]}]" in outcome.stdout, outcome.stdout


def test_one_deadline_covers_both_processes(runner: ZygoteRunner) -> None:
    source = CUMSUM.replace("def step", "import time; time.sleep(2.5)\n    def step")
    hidden = (("h", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request(source, hidden_cases=hidden), limits(wall_time_s=4.0))
    assert outcome.kind == "timeout", (outcome.kind, outcome.detail)
    assert outcome.timings["wall_ms"] < 8000


ENDLESS_LOOP = """
import jax.numpy as jnp
from jax import lax

def cumulative_sum(x):
    # Compiles fine; never ends when run (the condition stays true).
    _, total = lax.while_loop(lambda c: c[0] >= 0, lambda c: (c[0] + 1, c[1] + x), (0, x))
    return total
"""


def test_an_endless_compiled_loop_times_out_in_the_executor(runner: ZygoteRunner) -> None:
    hidden = (("h", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request(ENDLESS_LOOP, hidden_cases=hidden), limits(wall_time_s=4.0))
    assert outcome.kind == "timeout" and outcome.stage == "executor", outcome
    assert outcome.cases == []
    # The sizes of the exported programs (shapes only) come back to word the timeout.
    assert len(outcome.artifact_sizes) == 2 and all(s > 0 for s in outcome.artifact_sizes)


EXECUTOR_HOG = """
import jax.numpy as jnp
from jax import lax

def cumulative_sum(x):
    # Exports in no time; needs a 1 GiB buffer only when the executor runs it.
    big = jnp.broadcast_to(x[0], (1 << 28,)) + lax.iota(jnp.float32, 1 << 28)
    ys = lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]
    return ys + jnp.sort(big)[:1]
"""


def test_memory_in_the_executor_is_a_memory_outcome_without_detail_when_hidden(
    runner: ZygoteRunner,
) -> None:
    visible = runner.run(request(EXECUTOR_HOG), limits(memory_mb=512))
    assert (visible.kind, visible.stage) == ("memory", "executor"), visible
    assert "512" in visible.detail
    # The same signature as the visible case: the runner is done before the executor
    # starts (see the report: an executor failure while the runner still exports is
    # blamed on the runner).
    hidden = (("h", {"x": np.ones(6, np.float32)}),)
    outcome = runner.run(request(EXECUTOR_HOG, hidden_cases=hidden), limits(memory_mb=512))
    assert (outcome.kind, outcome.stage) == ("memory", "executor"), outcome
    # The executor held the hidden inputs: how it ended is not described.
    assert outcome.detail == "" and outcome.cases == []


def test_an_executor_failure_while_the_runner_still_exports_is_the_executors(
    runner: ZygoteRunner,
) -> None:
    # The second signature takes the runner 3 s to trace; the executor runs out of memory
    # on the first long before that.
    source = EXECUTOR_HOG.replace(
        "def cumulative_sum(x):\n",
        "def cumulative_sum(x):\n    if x.shape[0] != 6:\n        __import__('time').sleep(3)\n",
    )
    hidden = (("h", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request(source, hidden_cases=hidden), limits(memory_mb=512))
    assert (outcome.kind, outcome.stage) == ("memory", "executor"), outcome


def test_a_load_error_never_reaches_the_executor(runner: ZygoteRunner) -> None:
    hidden = (("h", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request("raise ValueError('no')\n", hidden_cases=hidden), limits())
    assert outcome.kind == "load_error" and outcome.load_error is not None
    assert outcome.load_error.message == "no"
    assert outcome.cases == []


def test_doctor_reports_layers(
    sandbox_settings: GraderSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    layers = doctor.detect_isolation(sandbox_settings)
    assert {"netns", "landlock", "seccomp", "cgroup_memory"} <= set(layers)
    table = doctor.format_table(layers)
    assert "network namespace" in table and "seccomp" in table


def test_stdlib_modules_import_lazily_after_privileges_are_dropped(runner: ZygoteRunner) -> None:
    source = CUMSUM + (
        "\nimport wave, mailbox, sqlite3, zipfile\n"
        "print('tempdir', __import__('tempfile').gettempdir() == __import__('os').getcwd())\n"
    )
    outcome = runner.run(request(source), limits())
    assert_cumsum_ok(outcome)
    assert "tempdir True" in outcome.stdout


def test_runs_degrade_gracefully_without_cgroups(sandbox_settings: GraderSettings) -> None:
    from grader.sandbox.cgroups import CgroupLayout

    with ZygoteRunner(sandbox_settings) as degraded:
        degraded.cgroups = CgroupLayout(version=0, problems=["disabled by the test"])
        outcome = degraded.run(request(CUMSUM), limits())
        assert_cumsum_ok(outcome)
        for role in ("runner", "executor"):
            assert outcome.isolation[role]["cgroup_memory"] is False
            assert outcome.isolation[role]["cgroup_pids"] is False
        # RLIMIT_DATA still bounds memory hogs.
        hog = "def cumulative_sum(x):\n    b = []\n    while True:\n"
        hog += "        b.append(bytearray(1 << 26))\n"
        outcome = degraded.run(request(hog), limits(data_mb=1024))
        assert outcome.kind == "memory", (outcome.kind, outcome.detail)


DEBUG_PRINTS = """
import jax
import jax.numpy as jnp
from jax.debug import print as show  # taken at import time: still silenced for export


def cumulative_sum(x):
    def step(c, v):
        jax.debug.print("carry={c}", c=c)
        return c + v, c + v

    show("length {n}", n=x.shape[0])
    return jax.lax.scan(step, jnp.zeros((), x.dtype), x)[1]
"""


def test_run_mode_shows_jax_debug_output_on_the_visible_inputs(runner: ZygoteRunner) -> None:
    x = np.array([1.0, 2.0, 4.0], np.float32)
    outcome = runner.run(request(DEBUG_PRINTS, x=x), limits())
    assert outcome.kind == "ok", outcome.detail
    # The judged program was exported with the callbacks silenced and ran in the executor.
    assert np.array_equal(output(outcome), np.array([1.0, 3.0, 7.0], np.float32))
    assert outcome.cases[0].facts is not None
    assert "length 3" in outcome.stdout
    assert "carry=3.0" in outcome.stdout  # the third step saw the running total 1 + 2


def test_submit_mode_never_sends_the_runner_input_values_for_prints(runner: ZygoteRunner) -> None:
    hidden = (("h", {"x": np.array([5.0, 6.0], np.float32)}),)
    outcome = runner.run(request(DEBUG_PRINTS, hidden_cases=hidden), limits())
    assert outcome.kind == "ok", outcome.detail
    assert "carry=" not in outcome.stdout and "length" not in outcome.stdout
    assert np.array_equal(outcome.cases[1].output, np.array([5.0, 11.0], np.float32))


def test_cancel_kills_an_infinite_loop_at_once(runner: ZygoteRunner) -> None:
    """Cancel (the student's button) ends a run that would take the whole wall limit: both
    processes die, the uids go back to the pool, and the next run works."""
    import threading
    import time

    from grader.errors import Cancelled

    cancel = threading.Event()
    timer = threading.Timer(1.0, cancel.set)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            runner.run(request("while True:\n    pass\n"), limits(wall_time_s=30.0), cancel=cancel)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 3.0  # 1 s until the cancel, then at most moments
    assert_cumsum_ok(runner.run(request(CUMSUM), limits()))
