"""Hidden inputs never reach anything a student is shown.

The sandbox runs a submission in two phases: the visible cases (whose outputs, previews
and exception messages are shown in full) run before the hidden cases' inputs have been
written to the child at all. These tests plant a distinctive hidden input and run a
submission that hunts for it at import and in every call (``gc.get_objects()``, the
interpreter's frames, every readable descriptor under ``/proc/self/fd``) and tries to
smuggle what it finds out through the visible cases' outputs and errors, its stdout,
its exit code, forged result frames and forged case times.
"""

from __future__ import annotations

import json
import os
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
from tests.sandbox.conftest import limits

PLANTED = [12345.678, 23456.789, 34567.891, 45678.912, 56789.123]
# Any rendering of a planted value (repr, previews, rounding) or of a byte derived from it.
MARKERS = [f"{int(v)}" for v in PLANTED] + [f"{int(v) + 1}" for v in PLANTED]
MARKERS += [f"{v:.3e}" for v in PLANTED] + [f"{v:.4e}" for v in PLANTED]
MARKERS += [f"code {int(v) % 256}" for v in PLANTED]

# A submission for `running_total(x, scale)` that looks for float values it was not given
# (the visible inputs are small) and leaks them wherever it can. MODE picks what it does
# in the hidden call, where the hidden input is legitimately in the child's memory.
HOSTILE = '''
import gc, os, select, sys, time
import numpy as np
import jax.numpy as jnp
from jax import lax

MODE = {mode!r}


def _collect(obj, out, depth, size):
    if len(out) > 256 or depth < 0:
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and size in (None, obj.size):
            out.extend(float(v) for v in obj.reshape(-1)[:64])
    elif isinstance(obj, dict):
        for v in list(obj.values()):
            _collect(v, out, depth - 1, size)
    elif isinstance(obj, (list, tuple)):
        for v in list(obj):
            _collect(v, out, depth - 1, size)


def _scan(size=None):
    """Suspicious floats in memory and in readable descriptors (from arrays of `size`
    elements only, when given: the hidden call looks for its own input)."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, (dict, list, tuple)):
            try:
                _collect(obj, found, 1, size)
            except Exception:
                pass
    frame = sys._getframe()
    while frame is not None:
        _collect(dict(frame.f_locals), found, 6, size)
        frame = frame.f_back
    for name in ([] if size else os.listdir("/proc/self/fd")):
        fd = int(name)
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            if not poller.poll(0):
                continue
            data = os.read(fd, 1 << 22)
        except OSError:
            continue
        for off in range(8):
            for dtype in ("<f4", "<f8"):
                size = np.dtype(dtype).itemsize
                n = (len(data) - off) // size
                if n > 0:
                    found.extend(np.frombuffer(data[off:off + n * size], dtype).tolist())
    return [v for v in found if np.isfinite(v) and 1000 < abs(v) < 1e6][:64]


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
    if n == 5:  # the hidden case
        values = _scan(n) or [0.0]
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
        raise ValueError("LEAK " + repr(values))
    return lax.scan(lambda c, v: (c + v, (c + v) * scale), jnp.zeros((), x.dtype), x)[1]
'''


def _hostile(mode: str) -> str:
    return HOSTILE.format(mode=mode)


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def _near_planted(tree: Any) -> bool:
    values = np.asarray(tree, dtype=np.float64).reshape(-1) if tree is not None else []
    return any(np.isclose(v, p, rtol=1e-4) for v in values for p in PLANTED)


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


def test_visible_channels_carry_nothing_of_the_hidden_input(runner: ZygoteRunner) -> None:
    outcome: RunOutcome = runner.run(_request(_hostile("raise")), limits())
    assert outcome.kind == "ok", (outcome.kind, outcome.detail, outcome.load_error)
    small, second, hidden = outcome.cases
    assert (small.name, second.name, hidden.name) == ("small", "second", "hidden-planted")
    # The visible channels: output, exception text, stdout (shown in run mode).
    assert small.output is not None and not _near_planted(small.output), small.output
    assert second.error is not None and second.error.message.startswith("LEAK")
    visible = "\n".join([repr(small), repr(second), outcome.stdout, outcome.detail])
    assert _leaks(visible) == [], visible
    # The attack works once the hidden input is in the child (so the test is not vacuous):
    # only the trusted side's refusal to display a hidden case's error keeps it private.
    assert hidden.error is not None and "12345" in hidden.error.message


def test_a_submission_that_never_reads_phase_two_still_finishes(runner: ZygoteRunner) -> None:
    source = "import os\ndef running_total(x, scale):\n    os._exit(0)\n"
    outcome = runner.run(_request(source), limits())
    assert outcome.kind == "crashed" and outcome.cases == []


FORGE_PHASE_ONE = """
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
_send(fds, b'J' + json.dumps({'t': 'visible_done'}).encode())
poller = select.poll()
for fd in fds:
    poller.register(fd, select.POLLIN)
data = b''
for fd, _ in poller.poll(5000):
    try:
        data += os.read(fd, 1 << 20)
    except OSError:
        pass
values = []
for off in range(4):  # the arrays may sit at any alignment in the job's bytes
    n = (len(data) - off) // 4
    values += [v for v in np.frombuffer(data[off : off + 4 * n], '<f4').tolist()
               if 1000 < abs(v) < 1e6]
values = values or [0.0]
_send(fds, b'J' + json.dumps({'t': 'LEAK ' + repr(values)}).encode())
os._exit(int(values[0]) % 256)
"""


def test_forging_visible_done_early_gets_nothing_shown(runner: ZygoteRunner) -> None:
    # The forged visible results are all the student can have chosen before the hidden
    # inputs arrived; what it does with them afterwards is reported only as a crash.
    outcome = runner.run(_request(FORGE_PHASE_ONE), limits())
    assert outcome.kind == "crashed" and outcome.cases == []
    # Two orderings are possible. If the forged frame is parsed after the hidden inputs
    # were handed over, only the generic detail is reported. If it is parsed first, the
    # worker never sends the hidden inputs at all, and the violation it names can only
    # carry what the student had before them. Either way nothing hidden is shown.
    assert outcome.detail == "the process stopped while running the hidden cases" or (
        outcome.detail.startswith("the run's result stream was invalid")
    ), outcome.detail
    shown = "\n".join([outcome.stdout, outcome.detail, repr(outcome.load_error)])
    assert _leaks(shown) == [], shown


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
    spec.write_text(text.replace(hidden, planted))
    grader = Grader(GraderSettings(data_dir=base / "data", problems_dir=problems))
    try:
        yield grader
    finally:
        grader.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("mode", ["raise", "exit", "forge", "time"])
def test_graded_result_shows_nothing_of_the_hidden_input(planted_grader: Grader, mode: str) -> None:
    result = planted_grader.grade("running-total", _hostile(mode), "submit")
    shown = result.model_dump_json()
    assert _leaks(shown) == [], shown
    assert result.status != "passed"
    if result.cases:
        assert [c.name for c in result.cases] == ["small", "second", "hidden-planted"]
        hidden = result.cases[-1]
        assert hidden.hidden and hidden.message is None and hidden.got is None
    assert result.timings.get("cases_ms", 0.0) < 10_000, result.timings
