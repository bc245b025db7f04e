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
    probes = (("short", {"x": np.ones(8, np.float32)}), ("long", {"x": np.ones(16, np.float32)}))
    outcome = runner.run(request(source, probes=probes), limits())
    assert_cumsum_ok(outcome)
    assert output(outcome).dtype == np.float32
    assert outcome.cases[0].time_ms is not None and outcome.cases[0].time_ms > 0
    assert outcome.facts["short"].primitives.get("scan") == 1
    assert outcome.facts["short"].eqn_count == outcome.facts["long"].eqn_count
    assert "tracing (6,)" in outcome.stdout
    assert outcome.timings["wall_ms"] > 0


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
    probes = (("p", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request(source, probes=probes), limits())
    assert outcome.kind == "ok"
    error = outcome.cases[0].error
    assert error is not None and outcome.cases[0].output is None
    assert error.lineno == 4
    assert "submission.py" in error.traceback and "line 8" in error.traceback
    assert "jax/_src" not in error.traceback and "grader" not in error.traceback
    assert outcome.facts["p"].error is not None and outcome.facts["p"].error.lineno == 4


def test_vmap_calls_are_counted_while_tracing(runner: ZygoteRunner) -> None:
    source = CUMSUM + "\nimport jax\nbatched = jax.vmap(cumulative_sum)\n"
    source += "def batched_running_sum(x_batch):\n    return batched(x_batch)\n"
    x = np.ones((3, 4), np.float32)
    req = request(
        source,
        "batched_running_sum",
        cases=(("c", {"x_batch": x}),),
        probes=(("p", {"x_batch": x}),),
    )
    outcome = runner.run(req, limits())
    assert outcome.kind == "ok"
    assert outcome.facts["p"].vmap_calls == 1
    np.testing.assert_allclose(output(outcome), np.cumsum(x, axis=1))


@pytest.mark.parametrize(
    "body",
    ["    while True:\n        pass\n", "    import time\n    time.sleep(60)\n"],
    ids=["busy-loop", "sleep"],
)
def test_timeout_kills_the_run(runner: ZygoteRunner, body: str) -> None:
    outcome = runner.run(request(f"def cumulative_sum(x):\n{body}"), limits(wall_time_s=2.0))
    assert outcome.kind == "timeout"
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


def test_isolation_layers_are_recorded(runner: ZygoteRunner) -> None:
    outcome = runner.run(request(CUMSUM), limits())
    iso = outcome.isolation
    assert iso["runner"] == "zygote" and iso["env_allowlist"] is True
    for key in (
        "netns",
        "mountns",
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
    ):
        assert key in iso
    report = runner.isolation_report()
    if os.geteuid() == 0:
        assert iso["uid"] == "nobody"
    for layer in ("netns", "mountns", "landlock", "seccomp", "cgroup_memory", "cgroup_pids"):
        assert bool(iso[layer]) == bool(report[layer]), layer


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
        two_phase = fresh.run(request(CUMSUM, hidden_cases=(("h", {"x": hidden}),)), limits())
    assert_cumsum_ok(outcome)
    assert outcome.isolation["runner"] == "fresh" and outcome.isolation["netns"]
    assert_cumsum_ok(two_phase)
    assert [c.name for c in two_phase.cases] == ["small", "h"]
    np.testing.assert_allclose(output(two_phase, 1), np.cumsum(hidden), rtol=1e-6)


# ---------------------------------------------------------------- two-phase jobs

WATCH_JOB_PIPE = """
import os, select, time
import jax.numpy as jnp
from jax import lax

def _arrived(wait_s):
    # Every descriptor the child holds beyond stdio, polled for readable data.
    poller = select.poll()
    for name in os.listdir('/proc/self/fd'):
        if int(name) > 2:
            poller.register(int(name), select.POLLIN)
    return [fd for fd, ev in poller.poll(int(wait_s * 1000)) if ev & select.POLLIN]

def cumulative_sum(x):
    print('shape', x.shape[0], 'readable', _arrived(1.0 if x.shape[0] == 6 else 0.0))
    return lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]
"""


def test_hidden_cases_run_after_the_visible_ones(runner: ZygoteRunner) -> None:
    hidden = (("h1", {"x": np.ones(3, np.float32)}), ("h2", {"x": np.arange(4.0, dtype="f4")}))
    probes = (("short", {"x": np.ones(8, np.float32)}),)
    outcome = runner.run(request(WATCH_JOB_PIPE, probes=probes, hidden_cases=hidden), limits())
    assert_cumsum_ok(outcome)
    assert [c.name for c in outcome.cases] == ["small", "h1", "h2"]
    np.testing.assert_allclose(output(outcome, 1), np.cumsum(np.ones(3)))
    np.testing.assert_allclose(output(outcome, 2), np.cumsum(np.arange(4.0)))
    assert outcome.facts["short"].primitives.get("scan") == 1
    # For a whole second of the visible case, nothing of the hidden inputs was readable.
    assert "shape 6 readable []" in outcome.stdout, outcome.stdout


def test_one_deadline_covers_both_phases(runner: ZygoteRunner) -> None:
    source = CUMSUM.replace("def step", "import time; time.sleep(2.5)\n    def step")
    hidden = (("h", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request(source, hidden_cases=hidden), limits(wall_time_s=4.0))
    assert outcome.kind == "timeout", (outcome.kind, outcome.detail)
    assert outcome.timings["wall_ms"] < 8000


def test_a_load_error_never_gets_the_hidden_inputs(runner: ZygoteRunner) -> None:
    hidden = (("h", {"x": np.ones(3, np.float32)}),)
    outcome = runner.run(request("raise ValueError('no')\n", hidden_cases=hidden), limits())
    assert outcome.kind == "load_error" and outcome.load_error is not None
    assert outcome.load_error.message == "no"


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
        assert outcome.isolation["cgroup_memory"] is False
        assert outcome.isolation["cgroup_pids"] is False
        # RLIMIT_DATA still bounds memory hogs.
        hog = "def cumulative_sum(x):\n    b = []\n    while True:\n"
        hog += "        b.append(bytearray(1 << 26))\n"
        outcome = degraded.run(request(hog), limits(data_mb=1024))
        assert outcome.kind == "memory", (outcome.kind, outcome.detail)
