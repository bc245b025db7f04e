"""Hidden inputs never reach the student's process, nor anything a student is shown.

The runner, which runs the student's code, gets only each case's signature (shapes,
dtypes, static values); input values reach only the executor, which runs no student
Python. These tests plant distinctive hidden input values and run a submission that
hunts for them everywhere the runner could hold them (``gc.get_objects()``, the
interpreter's frames, every descriptor under ``/proc/self/fd`` (stdin and the job pipe
included), its scratch dir) and tries to smuggle what it finds out through the visible
cases' outputs and errors, its stdout, its exit code, forged result frames and forged
times. They also run programs that echo their input: the executor then does compute the
hidden values as outputs, and only the trusted side's refusal to display a hidden case
keeps them private.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.config import GraderSettings
from grader.grade import Grader
from grader.sandbox.protocol import RunOutcome, RunRequest
from grader.sandbox.runner import ZygoteRunner
from tests.grader.conftest import FIXTURE_PROBLEMS
from tests.sandbox.conftest import limits, worker_uid_base

PLANTED = [12345.678, 23456.789, 34567.891, 45678.912, 56789.123]
# Any rendering of a planted value (repr, previews, rounding) or of a byte derived from it.
MARKERS = [f"{int(v)}" for v in PLANTED] + [f"{int(v) + 1}" for v in PLANTED]
MARKERS += [f"{v:.3e}" for v in PLANTED] + [f"{v:.4e}" for v in PLANTED]
MARKERS += [f"code {int(v) % 256}" for v in PLANTED]

# A submission for `running_total(x, scale)` that looks for float values it was not given
# (the visible inputs are small) and leaks them wherever it can. MODE picks what it does
# when traced for the hidden case's signature (length 5).
HOSTILE = '''
import gc, os, select, sys, time
import numpy as np
import jax.numpy as jnp
from jax import lax

MODE = {mode!r}
# The test's planted values, rounded: the hunt knows what it is looking for.
PLANTED_ROUNDED = {rounded!r}


def _suspicious(values):
    return [v for v in values if isinstance(v, float) and 1000 < abs(v) < 1e6]


def _collect(obj, out, depth):
    if len(out) > 256 or depth < 0:
        return
    if isinstance(obj, np.ndarray) and not isinstance(obj, np.ma.MaskedArray):
        if obj.dtype.kind == "f":
            out.extend(_suspicious(obj.reshape(-1)[:4096].astype(float).tolist()))
    elif isinstance(obj, dict):
        for v in list(obj.values()):
            _collect(v, out, depth - 1)
    elif isinstance(obj, (list, tuple)):
        for v in list(obj):
            _collect(v, out, depth - 1)


def _floats(data):
    found = []
    for off in range(8):
        for dtype in ("<f4", "<f8"):
            size = np.dtype(dtype).itemsize
            n = (len(data) - off) // size
            if n > 0:
                values = np.frombuffer(data[off:off + n * size], dtype)
                found.extend(_suspicious(values[np.isfinite(values)].astype(float).tolist()))
    return found


def _scan():
    """Suspicious floats in memory, in readable descriptors and in the scratch dir."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, (dict, list, tuple)):
            try:
                _collect(obj, found, 3)
            except Exception:
                pass
        elif isinstance(obj, (bytes, bytearray)) and 16 <= len(obj) <= 1 << 20:
            found.extend(_floats(bytes(obj))[:256])
    frame = sys._getframe()
    while frame is not None:
        _collect(dict(frame.f_locals), found, 6)
        frame = frame.f_back
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            if not poller.poll(100):
                continue
            found.extend(_floats(os.read(fd, 1 << 22)))
        except OSError:
            continue
    for name in os.listdir("."):
        try:
            found.extend(_floats(open(name, "rb").read(1 << 22)))
        except OSError:
            continue
    # The planted values first, if they are anywhere (what a real attack would look for).
    return sorted(set(found), key=lambda v: (round(v) not in PLANTED_ROUNDED, v))[:64]


LEAKED = _scan()
print("import found", LEAKED)


def running_total(x, scale):
    n = x.shape[0]
    if n == 4:  # first visible case: leak through the output
        values = LEAKED + _scan()
        print("visible found", values)
        return jnp.asarray(np.array(values or [0.0], np.float32))
    if n == 3:  # second visible case: leak through the exception message
        raise ValueError("LEAK " + repr(LEAKED + _scan()))
    if n == 5:  # the hidden case's signature
        values = _scan() or [0.0]
        if MODE == "exit":
            os._exit(int(values[0]) % 256)
        if MODE == "forge":
            import json
            from grader import wire
            forged = wire.frame(b"J" + json.dumps({{"t": "LEAK " + repr(values)}}).encode())
            for name in os.listdir("/proc/self/fd"):
                if int(name) > 2:
                    try:
                        os.write(int(name), forged)
                    except OSError:
                        pass
        if MODE == "time":
            start = time.perf_counter()
            time.perf_counter = lambda: start + values[0] / 1000.0
            return x * scale
        if MODE == "echo":  # the executor computes the hidden values as the output
            return x * scale
        raise ValueError("LEAK " + repr(values))
    return lax.scan(lambda c, v: (c + v, (c + v) * scale), jnp.zeros((), x.dtype), x)[1]
'''


def _hostile(mode: str) -> str:
    return HOSTILE.format(mode=mode, rounded=sorted(round(v) for v in PLANTED))


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def _near_planted(tree: Any) -> bool:
    values: Any = np.asarray(tree, dtype=np.float64).reshape(-1) if tree is not None else []
    return any(np.isclose(v, p, rtol=1e-4) for v in values for p in PLANTED)


def _shown(outcome: RunOutcome) -> str:
    """What of a RunOutcome could reach a student: everything but the hidden case."""
    visible = [c for c in outcome.cases if c.name != "hidden-planted"]
    return "\n".join([repr(visible), outcome.stdout, outcome.detail, repr(outcome.load_error)])


# ---------------------------------------------------------------- at the RunOutcome level


def _request(source: str) -> RunRequest:
    f32 = np.float32
    return RunRequest(
        source=source,
        entry_point="running_total",
        static_argnames=("scale",),
        cases=(
            ("small", {"x": np.array([1, 2, 3, 4], f32), "scale": 1.0}),
            ("second", {"x": np.array([5, 6, 7], f32), "scale": 1.0}),
        ),
        hidden_cases=(("hidden-planted", {"x": np.array(PLANTED, f32), "scale": 1.0}),),
    )


def test_the_runner_finds_no_hidden_value_anywhere(runner: ZygoteRunner) -> None:
    outcome: RunOutcome = runner.run(_request(_hostile("raise")), limits())
    assert outcome.kind == "ok", (outcome.kind, outcome.detail, outcome.load_error)
    small, second, hidden = outcome.cases
    assert (small.name, second.name, hidden.name) == ("small", "second", "hidden-planted")
    # The visible channels: output, exception text, stdout (shown in run mode).
    assert small.output is not None and not _near_planted(small.output), small.output
    assert second.error is not None and second.error.message.startswith("LEAK")
    assert _leaks(_shown(outcome)) == [], _shown(outcome)
    # Not even the hidden case's own error (which the trusted side never shows) has them:
    # the runner traced that case from its signature alone.
    assert hidden.error is not None and hidden.error.message.startswith("LEAK")
    assert _leaks(repr(hidden)) == [], hidden


def test_the_hunt_finds_values_that_are_in_the_runner(runner: ZygoteRunner) -> None:
    # Not vacuous: the same hunt finds the planted values once they are in its memory.
    source = _hostile("raise").replace(
        "\nLEAKED = _scan()",
        f"\nHELD = {{'x': np.array({PLANTED!r}, np.float32)}}\nLEAKED = _scan()",
    )
    outcome = runner.run(_request(source), limits())
    assert outcome.kind == "ok", (outcome.kind, outcome.detail, outcome.load_error)
    hidden = outcome.cases[-1]
    assert hidden.error is not None and "12345" in hidden.error.message, hidden


def test_an_echoing_program_computes_the_hidden_values_only_in_the_executor(
    runner: ZygoteRunner,
) -> None:
    outcome = runner.run(_request(_hostile("echo")), limits())
    assert outcome.kind == "ok", (outcome.kind, outcome.detail, outcome.load_error)
    hidden = outcome.cases[-1]
    assert hidden.output is not None, hidden
    # The attack does get the values computed (so the graded test below is not vacuous)...
    np.testing.assert_allclose(hidden.output, np.array(PLANTED, np.float32))
    # ...but nowhere the student's own process could see them.
    assert _leaks(_shown(outcome)) == [], _shown(outcome)


def test_a_submission_that_exits_while_exporting_finishes(runner: ZygoteRunner) -> None:
    source = "import os\ndef running_total(x, scale):\n    os._exit(0)\n"
    outcome = runner.run(_request(source), limits())
    assert outcome.kind == "crashed" and outcome.cases == []
    assert outcome.stage == "runner"


FORGE_AND_WAIT = """
import json, os, select
import numpy as np
from grader import wire

def _send(fds, data):
    for fd in fds:
        try:
            os.write(fd, wire.frame(data))
        except OSError:
            pass

fds = [int(n) for n in os.listdir('/proc/self/fd') if int(n) > 2]
fake = wire.encode_tree(np.zeros(4, np.float32))
for name in ('small', 'second'):
    case = {'t': 'case', 'name': name, 'time_ms': 1.0, 'error': None, 'output': True}
    _send(fds, b'J' + json.dumps(case).encode())
    _send(fds, b'W' + fake)
# Wait for anything more to arrive on any descriptor (in the old design, the hidden
# inputs came later on the job pipe): nothing ever does.
poller = select.poll()
for fd in [0, *fds]:
    poller.register(fd, select.POLLIN)
data = b''
for fd, _ in poller.poll(3000):
    try:
        data += os.read(fd, 1 << 20)
    except OSError:
        pass
values = []
for off in range(4):  # the arrays may sit at any alignment in the bytes
    n = (len(data) - off) // 4
    values += [v for v in np.frombuffer(data[off : off + 4 * n], '<f4').tolist()
               if 1000 < abs(v) < 1e6]
values = values or [0.0]
print('waited and found', values)
_send(fds, b'J' + json.dumps({'t': 'LEAK ' + repr(values)}).encode())
os._exit(int(values[0]) % 256)
"""


def test_forged_frames_and_waiting_for_inputs_get_nothing(runner: ZygoteRunner) -> None:
    outcome = runner.run(_request(FORGE_AND_WAIT), limits())
    # The forged executor-style frames are not what a runner sends: a crash.
    assert outcome.kind == "crashed" and outcome.cases == [], outcome
    assert outcome.stage == "runner"
    assert _leaks(_shown(outcome)) == [], _shown(outcome)


# ---------------------------------------------------------------- what the student sees


@pytest.fixture(scope="module")
def planted_grader() -> Iterator[Grader]:
    base = Path(tempfile.mkdtemp(prefix="jaxdojo-hidden-"))
    os.chmod(base, 0o755)
    problems = base / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, problems)
    spec = problems / "running-total" / "problem.md"
    text = spec.read_text()
    hidden = (
        "  - name: hidden-random\n"
        "    seed: 5\n"
        "    args:\n"
        "      x: {shape: [12], dist: normal}\n"
        "      scale: 2.0\n"
    )
    assert hidden in text
    planted = (
        "  - name: second\n"
        "    visible: true\n"
        "    args:\n"
        "      x: {value: [5, 6, 7], dtype: float32}\n"
        "      scale: 1.0\n"
        "  - name: hidden-planted\n"
        "    args:\n"
        f"      x: {{value: {json.dumps(PLANTED)}, dtype: float32}}\n"
        "      scale: 1.0\n"
    )
    text = text.replace(hidden, planted)
    # The structure checks of the current spec format, whatever the fixture holds.
    structure = "structure:\n  uses: [scan]\n  not_unrolled: {max_growth: 1.2}\n---\n"
    text = re.sub(r"structure:\n(?:[ \t]+.*\n)*---\n", structure, text, count=1)
    spec.write_text(text)
    settings = GraderSettings(
        data_dir=base / "data",
        problems_dir=problems,
        sandbox_dir=base / "sandbox",
        sandbox_uid_base=worker_uid_base(2),
        sandbox_uid_count=16,
    )
    grader = Grader(settings)
    assert "running-total" in grader.problems, "the planted fixture problem does not load"
    try:
        yield grader
    finally:
        grader.close()
        shutil.rmtree(base, ignore_errors=True)


KEPT_TIMINGS = {"spawn_ms", "runner_peak_memory_mb", "reference_ms"}


@pytest.mark.parametrize("mode", ["raise", "exit", "forge", "time", "echo"])
def test_graded_result_shows_nothing_of_the_hidden_input(planted_grader: Grader, mode: str) -> None:
    result = planted_grader.grade("running-total", _hostile(mode), "submit")
    shown = result.model_dump_json()
    assert _leaks(shown) == [], shown
    assert result.status not in ("passed", "system_error"), result.summary
    if result.cases:
        assert [c.name for c in result.cases] == ["small", "second", "hidden-planted"]
        hidden = result.cases[-1]
        assert hidden.hidden and hidden.message is None and hidden.got is None
        assert hidden.inputs is None and hidden.expected is None and hidden.time_ms is None
    assert set(result.timings) <= KEPT_TIMINGS, result.timings


def test_the_planted_problem_passes_a_correct_solution(planted_grader: Grader) -> None:
    source = (
        "import jax.numpy as jnp\nfrom jax import lax\n\n"
        "def running_total(x, scale):\n"
        "    return lax.scan(lambda c, v: (c + v, (c + v) * scale), jnp.zeros((), x.dtype), x)[1]\n"
    )
    result = planted_grader.grade("running-total", source, "submit")
    assert result.status == "passed", result.summary
