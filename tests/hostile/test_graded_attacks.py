"""Hostile submissions graded end to end by a real Grader on the real `cumulative-sum`.

Every test asserts, through :func:`grade_hostile` and the ``graded`` fixture: the verdict
is not ``passed``; it is the student's verdict (``grade`` returns a result instead of
raising a platform fault that would be retried, and the status is not ``system_error``);
no canary (environment, data-dir secret, reference solution, compilation-cache entry)
appears anywhere in the result; nothing outside the sandbox changed; and the next
correct submission passes.

The student controls the whole runner process, ``jax`` and the grader's own modules in
it included, so these tests attack it from inside: they replace its functions, forge its
whole result stream, and hand over programs that are not what the student's code traces.
Only what the executor derives from the artifact can pass a check.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from grader.grade import Grader
from grader.result import CheckResult, GradeResult, Mode
from grader.sandbox.results import MAX_COUNT
from grader.sandbox.runner import ZygoteRunner
from tests.hostile.conftest import (
    CANARY_CACHE_FILE,
    CANARY_XLA,
    SLUG,
    correct_solution,
    grade_hostile,
)

SCAN = "lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]"
HEADER = "import jax\nimport jax.numpy as jnp\nimport numpy as np\nfrom jax import lax\n"
# The lengths of cumulative-sum's visible cases; its hidden cases have other lengths.
VISIBLE_LENGTHS = (5, 6, 8)


def _checks(result: GradeResult) -> dict[str, CheckResult]:
    return {c.name: c for c in result.checks}


# ---------------------------------------------------------------- loops that do not matter

IDLE_LOOPS = {
    "times-zero-plus-cumsum": f"    ys = {SCAN}\n    return jnp.cumsum(x) + 0.0 * ys\n",
    # No reduce_window: only the loop check can tell it from a real scan.
    "times-zero-plus-associative-scan": (
        f"    ys = {SCAN}\n    return lax.associative_scan(jnp.add, x) + ys * 0.0\n"
    ),
    "minus-itself": f"    ys = {SCAN}\n    return (ys - ys) + lax.associative_scan(jnp.add, x)\n",
}


@pytest.mark.parametrize("body", IDLE_LOOPS.values(), ids=IDLE_LOOPS.keys())
def test_a_scan_whose_result_is_thrown_away_fails_the_loop_check(graded: Grader, body: str) -> None:
    result = grade_hostile(graded, HEADER + "\ndef cumulative_sum(x):\n" + body)
    assert result.status == "failed", result.summary
    # The values are right on every case: only the structure gives it away.
    assert all(c.status == "passed" for c in result.cases), result.cases
    check = _checks(result)["uses_scan"]
    assert not check.passed
    assert "do not reach the output" in check.message, check


# ---------------------------------------------------------------- shape-dependent code

SHAPE_DEPENDENT = {
    "cumsum-for-hidden-shapes": "    return jnp.cumsum(x)\n",
    "associative-scan-for-hidden-shapes": "    return lax.associative_scan(jnp.add, x)\n",
    "idle-scan-for-hidden-shapes": f"    return jnp.cumsum(x) + 0.0 * {SCAN}\n",
    "python-loop-for-hidden-shapes": (
        "    total, out = jnp.zeros((), x.dtype), []\n"
        "    for t in range(x.shape[0]):\n"
        "        total = total + x[t]\n"
        "        out.append(total)\n"
        "    return jnp.stack(out)\n"
    ),
}


@pytest.mark.parametrize("otherwise", SHAPE_DEPENDENT.values(), ids=SHAPE_DEPENDENT.keys())
def test_code_that_scans_only_at_the_visible_shapes_fails(graded: Grader, otherwise: str) -> None:
    source = HEADER + (
        f"\nVISIBLE = {VISIBLE_LENGTHS!r}\n\n"
        "def cumulative_sum(x):\n"
        "    if x.shape[0] in VISIBLE:\n"
        f"        return {SCAN}\n" + otherwise
    )
    # On the visible cases alone it is indistinguishable from a correct solution...
    shown = graded.grade(SLUG, source, "run")
    assert shown.status == "passed", shown.summary
    # ...but every judged case's own program is checked, hidden ones included.
    result = grade_hostile(graded, source)
    assert result.status == "failed", result.summary
    assert all(c.status == "passed" for c in result.cases), result.cases
    failed = [c for c in result.checks if not c.passed]
    assert failed and {c.name for c in failed} <= {"uses_scan", "not_unrolled", "no_reduce_window"}
    assert not _checks(result)["uses_scan"].passed


# ---------------------------------------------------------------- the runner's own functions

# Builds programs by hand inside the runner, as a student controlling it could.
FORGERY_TOOLS = '''
import dataclasses, fcntl, json, os, sys
import jax
import jax.numpy as jnp
import numpy as np
from jax import export, lax
from grader import exporting, wire
from grader.sandbox import codec


REAL_EXPORT_ENTRY = exporting.export_entry


def scan_program(x):
    return lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]


def export_for(fn, dynamic, platform, static=None):
    return REAL_EXPORT_ENTRY(fn, dict(static or {}), dynamic, platform)


def forged_module(dynamic, platform, body):
    """An artifact whose header matches the signature and whose module is ``body``, a
    StableHLO text with ``T`` for the tensor type of x."""
    from jax._src import xla_bridge as xb
    from jax._src.lib import _jax
    from jaxlib.mlir.dialects import stablehlo as hlo

    spec = exporting.abstract(dynamic)
    exported = export.export(jax.jit(lambda a: a["x"] * 2), platforms=[platform])(spec)
    n = spec["x"].shape[0]
    text = body.replace("T", f"tensor<{n}xf32>")
    version = hlo.get_version_from_compatibility_requirement(
        hlo.StablehloCompatibilityRequirement.WEEK_12
    )
    sdy = xb.get_backend().serialize_with_sdy
    module = _jax.mlir.serialize_portable_artifact(text, version, sdy)
    forged = dataclasses.replace(exported, mlir_module_serialized=module, disabled_safety_checks=())
    return bytes(forged.serialize())


HOST_CALLBACK = """module @m {
  func.func public @main(%arg0: T) -> (T) {
    %0 = stablehlo.custom_call @xla_ffi_python_cpu_callback(%arg0) {api_version = 4 : i32}
        : (T) -> T
    return %0 : T
  }
}"""
RECURSIVE = """module @m {
  func.func public @main(%arg0: T) -> (T) {
    %0 = func.call @main(%arg0) : (T) -> T
    return %0 : T
  }
}"""
'''

RUNNER_PATCHES = {
    "export_entry-returns-garbage": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: b'\\x13garbage' * 64\n",
        "ProgramRefused",
    ),
    "export_entry-returns-nothing": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: b''\n",
        "",
    ),
    "export_entry-other-shape": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: export_for(\n"
        "    scan_program, {'x': {'shape': [3], 'dtype': 'float32'}}, platform)\n",
        "shapes or dtypes",
    ),
    "export_entry-other-dtype": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: export_for(\n"
        "    scan_program, {'x': {'shape': dynamic['x']['shape'], 'dtype': 'int32'}},\n"
        "    platform)\n",
        "ProgramRefused",
    ),
    "export_entry-other-platform": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: export_for(\n"
        "    scan_program, dynamic, 'cuda' if platform == 'cpu' else 'cpu')\n",
        "exported for",
    ),
    "export_entry-host-callback": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: forged_module(\n"
        "    dynamic, platform, HOST_CALLBACK)\n",
        "custom call",
    ),
    "export_entry-recursive-module": (
        "exporting.export_entry = lambda fn, static, dynamic, platform, *_: forged_module(\n"
        "    dynamic, platform, RECURSIVE)\n",
        "",
    ),
    "jax.export.export-garbage": (
        "class Fake:\n"
        "    def serialize(self):\n"
        "        return bytearray(b'\\x00' * 256)\n"
        "export.export = lambda *a, **k: (lambda *args, **kw: Fake())\n",
        "ProgramRefused",
    ),
    "jax.export.export-other-program": (
        "real_export = export.export\n"
        "export.export = lambda fun, **k: real_export(\n"
        "    jax.jit(lambda args: jnp.zeros_like(args['x'])), **k)\n",
        "",
    ),
    "send_json-drops-errors": (
        "import grader.sandbox.child as child\n"
        "real_send = child.send_json\n"
        "def send_json(fd, message):\n"
        "    if message.get('t') == 'artifact':\n"
        "        message = dict(message, error=None)\n"
        "    real_send(fd, message)\n"
        "child.send_json = send_json\n"
        "RAISE = True\n",
        "",
    ),
    "send_json-claims-bytes-it-never-sends": (
        "import grader.sandbox.child as child\n"
        "real_send = child.send_json\n"
        "def send_json(fd, message):\n"
        "    if message.get('t') == 'artifact' and message.get('error'):\n"
        "        message = dict(message, error=None, bytes=1000)\n"
        "    real_send(fd, message)\n"
        "child.send_json = send_json\n"
        "RAISE = True\n",
        "",
    ),
    "send_json-done-first": (
        "import grader.sandbox.child as child\n"
        "real_send = child.send_json\n"
        "child.send_json = lambda fd, message: real_send(fd, {'t': 'done'})\n",
        "",
    ),
    "send_json-huge-vmap-count": (
        "import grader.sandbox.child as child\n"
        "real_send = child.send_json\n"
        "def send_json(fd, message):\n"
        "    if message.get('t') == 'artifact':\n"
        "        message = dict(message, vmap_calls=1 << 40)\n"
        "    real_send(fd, message)\n"
        "child.send_json = send_json\n"
        "WRONG = True\n",
        "",
    ),
    "send_bytes-swaps-the-program": (
        "import grader.sandbox.child as child\n"
        "real_bytes = child.send_bytes\n"
        "child.send_bytes = lambda fd, payload: real_bytes(fd, b'\\x7f' * len(payload))\n",
        "ProgramRefused",
    ),
    "describe_error-returns-nan": (
        "import grader.sandbox.child as child\n"
        "child.describe_error = lambda exc: {'type': 'E', 'message': 'm',\n"
        "                                    'lineno': float('nan'), 'traceback': ''}\n"
        "RAISE = True\n",
        "",
    ),
}

STUDENT_FUNCTION = f"""
RAISE = globals().get("RAISE", False)
WRONG = globals().get("WRONG", False)


def cumulative_sum(x):
    if RAISE:
        raise ValueError("the student's own error")
    if WRONG:
        return jnp.zeros_like(x)
    return {SCAN}
"""


@pytest.mark.parametrize(("patch", "expected"), RUNNER_PATCHES.values(), ids=RUNNER_PATCHES.keys())
def test_replacing_the_runners_functions_never_passes(
    graded: Grader, patch: str, expected: str
) -> None:
    source = FORGERY_TOOLS + "\n" + patch + STUDENT_FUNCTION
    result = grade_hostile(graded, source)
    if expected:
        assert expected in result.model_dump_json(), result.model_dump_json()[:3000]


def test_the_student_function_of_the_patch_tests_is_correct(graded: Grader) -> None:
    # Without a patch the same file passes: each attack above is what made it fail.
    result = graded.grade(SLUG, FORGERY_TOOLS + STUDENT_FUNCTION, "submit")
    assert result.status == "passed", result.summary


# ---------------------------------------------------------------- forged result streams

# Finds the runner's job (its signatures) and the result pipe from inside the runner, at
# import time, and writes a whole runner stream of its own on it; then exits cleanly so
# that the real runner never writes another byte.
FORGE_STREAM = (
    FORGERY_TOOLS
    + '''

def _job():
    frame = sys._getframe()
    while frame is not None:
        meta = frame.f_locals.get("meta")
        if isinstance(meta, dict) and "signatures" in meta:
            return meta
        frame = frame.f_back
    raise RuntimeError("no job found")


def _result_fd():
    """The result pipe: a pipe held for writing that is not stdout/stderr."""
    output = {os.readlink(f"/proc/self/fd/{fd}") for fd in (1, 2)}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        except OSError:
            continue
        writable = flags & os.O_ACCMODE == os.O_WRONLY
        if fd > 2 and link.startswith("pipe:") and link not in output and writable:
            return fd
    raise RuntimeError("no result pipe found")


JOB = _job()
FD = _result_fd()
SIGS = JOB["signatures"]
PLATFORM = JOB["platform"]


def send(raw):
    data = memoryview(wire.frame(raw))
    while data:
        data = data[os.write(FD, data):]


def send_text(text):
    send(b"J" + text.encode())


def announce(index, payload, **extra):
    head = {"t": "artifact", "sig": index, "error": None, "vmap_calls": 0}
    head["bytes"] = len(payload)
    head.update(extra)
    send_text(json.dumps(head))
    send(b"B" + payload)


def dynamic_of(sig):
    return codec.decode_signature(sig["dynamic"])


def finish():
    send_text('{"t": "done"}')
    os._exit(0)


'''
)

FORGED_STREAMS = {
    "garbage-artifacts": (
        "for i, sig in enumerate(SIGS):\n    announce(i, b'\\x00garbage' * 64)\nfinish()\n",
        "ProgramRefused",
    ),
    "pickle-artifacts": (
        "import io, pickle\n"
        "blob = pickle.dumps(np.array([{'x': 1}], dtype=object))\n"
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, blob)\n"
        "finish()\n",
        "ProgramRefused",
    ),
    "valid-artifacts-of-another-program": (
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, export_for(lambda x: jnp.cumsum(x), dynamic_of(sig), PLATFORM))\n"
        "finish()\n",
        "contains no loop",
    ),
    "valid-artifacts-of-a-wrong-program": (
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, export_for(lambda x: jnp.zeros_like(x), dynamic_of(sig), PLATFORM))\n"
        "finish()\n",
        "0 of 8 test cases passed",
    ),
    "one-artifact-for-every-signature": (
        "first = export_for(scan_program, dynamic_of(SIGS[0]), PLATFORM)\n"
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, first)\n"
        "finish()\n",
        "shapes or dtypes",
    ),
    "host-callback-module": (
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, forged_module(dynamic_of(sig), PLATFORM, HOST_CALLBACK))\n"
        "finish()\n",
        "custom call",
    ),
    "a-second-isolation-report": (
        "layers = {'netns': True, 'mountns': True, 'seccomp': True, 'landlock': True}\n"
        "send_text(json.dumps({'t': 'isolation', **layers}))\n"
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, export_for(scan_program, dynamic_of(sig), PLATFORM))\n"
        "finish()\n",
        "",
    ),
    "declared-size-not-sent": (
        "for i, sig in enumerate(SIGS):\n"
        "    payload = export_for(scan_program, dynamic_of(sig), PLATFORM)\n"
        "    announce(i, payload[:-10], bytes=len(payload))\n"
        "finish()\n",
        "",
    ),
    "done-before-every-signature": (
        "announce(0, export_for(scan_program, dynamic_of(SIGS[0]), PLATFORM))\nfinish()\n",
        "",
    ),
    "executor-messages-on-the-runner-stream": (
        "send_text(json.dumps({'t': 'facts', 'sig': 0, 'refused': None, 'op_count': 1,\n"
        "    'op_counts': {'stablehlo.while': 1}, 'loops': 1, 'custom_calls': []}))\n"
        "send(b'W' + wire.encode_tree(np.zeros(5, np.float32)))\n"
        "finish()\n",
        "",
    ),
    "artifacts-after-done": (
        'send_text(\'{"t": "done"}\')\n'
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, export_for(scan_program, dynamic_of(sig), PLATFORM))\n"
        "os._exit(0)\n",
        "",
    ),
}


@pytest.mark.parametrize(
    ("forgery", "expected"), FORGED_STREAMS.values(), ids=FORGED_STREAMS.keys()
)
def test_a_forged_runner_stream_never_passes(graded: Grader, forgery: str, expected: str) -> None:
    source = FORGE_STREAM + forgery + STUDENT_FUNCTION
    result = grade_hostile(graded, source)
    if expected:
        assert expected in result.model_dump_json(), result.model_dump_json()[:3000]


def test_a_faithfully_forged_stream_of_a_correct_program_passes(graded: Grader) -> None:
    # The forging machinery above is exact: the same stream built from a real scan passes
    # (it is the student's own program, checked like any other), so each forgery failed
    # because of what it changed.
    forgery = (
        "for i, sig in enumerate(SIGS):\n"
        "    announce(i, export_for(scan_program, dynamic_of(sig), PLATFORM))\n"
        "finish()\n"
    )
    result = graded.grade(SLUG, FORGE_STREAM + forgery + STUDENT_FUNCTION, "submit")
    assert result.status == "passed", result.summary


# ---------------------------------------------------------------- malformed numbers

MALFORMED = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "1e999": "1e999",
    "10**400": str(10**400),
    "minus-10**400": str(-(10**400)),
    "negative": "-1",
    "fraction": "1.5",
}

# A stream of real scan programs in which one field of one message is replaced by raw
# JSON text (so NaN, Infinity and 1e999 reach the worker literally).
MALFORMED_STREAM = """
FIELD, LITERAL = {field!r}, {literal!r}
for i, sig in enumerate(SIGS):
    payload = export_for(scan_program, dynamic_of(sig), PLATFORM)
    values = {{"sig": str(i), "bytes": str(len(payload)), "vmap_calls": "0"}}
    if i == 0 and FIELD in values:
        values[FIELD] = LITERAL
    error = "null"
    if FIELD == "lineno" and i == 0:
        error = '{{"type": "E", "message": "m", "lineno": %s, "traceback": ""}}' % LITERAL
        values["bytes"] = "0"
    send_text(
        '{{"t": "artifact", "sig": %s, "error": %s, "vmap_calls": %s, "bytes": %s}}'
        % (values["sig"], error, values["vmap_calls"], values["bytes"])
    )
    if values["bytes"] != "0":
        send(b"B" + payload)
finish()
"""


@pytest.mark.parametrize("literal", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("field", ["sig", "bytes", "vmap_calls", "lineno"])
def test_malformed_numbers_in_a_forged_stream_are_the_students_fault(
    graded: Grader, field: str, literal: str
) -> None:
    source = FORGE_STREAM + MALFORMED_STREAM.format(field=field, literal=literal)
    result = grade_hostile(graded, source + STUDENT_FUNCTION)
    # Every other message is a real scan program: one bad number is what failed it.
    assert result.status == "error" and "malformed" in result.summary, result.summary


def test_a_valid_header_with_garbage_bytes_is_refused(graded: Grader) -> None:
    forgery = (
        "for i, sig in enumerate(SIGS):\n"
        "    real = export_for(scan_program, dynamic_of(sig), PLATFORM)\n"
        "    garbage = real[:16] + bytes(len(real) - 32) + real[-16:] if i == 0 else real\n"
        "    announce(i, garbage)\n"
        "finish()\n"
    )
    result = grade_hostile(graded, FORGE_STREAM + forgery + STUDENT_FUNCTION)
    first = result.cases[0]
    assert first.status == "error" and first.message and "ProgramRefused" in first.message
    assert all(c.status == "passed" for c in result.cases[1:]), result.cases


@pytest.mark.parametrize("digits", [12, 1990])
def test_a_line_number_hidden_in_an_error_message_stays_bounded(
    graded: Grader, digits: int
) -> None:
    # No lineno, so the trusted side looks for one in the (untrusted) message text.
    forgery = (
        f"message = 'failed at submission.py:' + '9' * {digits}\n"
        "error = {'type': 'ValueError', 'message': message, 'lineno': None, 'traceback': ''}\n"
        "for i, sig in enumerate(SIGS):\n"
        "    send_text(json.dumps({'t': 'artifact', 'sig': i, 'error': error,\n"
        "                          'vmap_calls': 0, 'bytes': 0}))\n"
        "finish()\n"
    )
    result = grade_hostile(graded, FORGE_STREAM + forgery + STUDENT_FUNCTION)
    assert result.status == "error"
    line = result.error.line if result.error is not None else None
    assert line is None or line <= MAX_COUNT, f"a {len(str(line))}-digit line number"


# ---------------------------------------------------------------- the compilation cache

CACHE_SNOOP = """
import os
import jax
import jax.numpy as jnp
from jax import lax

CACHE = {cache!r}
NAME = {name!r}
attempts = {{
    "listdir": lambda: os.listdir(CACHE),
    "read": lambda: open(os.path.join(CACHE, NAME)).read(),
    "read-via-proc-root": lambda: open(f"/proc/1/root{{CACHE}}/{{NAME}}").read(),
    "listdir-parent": lambda: os.listdir(os.path.dirname(CACHE)),
}}
for what, attempt in attempts.items():
    try:
        print("READ", what, attempt())
    except Exception as exc:
        print("blocked", what, type(exc).__name__)
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        print("READ", pid, os.listdir(f"/proc/{{pid}}/root{{CACHE}}"))
    except Exception as exc:
        print("blocked", "proc", pid, type(exc).__name__)
# Point the runner's own JAX at the cache and compile: nothing can be read from it.
try:
    jax.config.update("jax_compilation_cache_dir", CACHE)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    print("compiled", jax.jit(lambda v: v + 1)(jnp.ones(3)).tolist())
except Exception as exc:
    print("compile failed", type(exc).__name__)


def cumulative_sum(x):
    return jnp.zeros_like(x)
"""


@pytest.mark.parametrize("mode", ["run", "submit"])
def test_the_compilation_cache_is_unreadable_from_student_code(graded: Grader, mode: Mode) -> None:
    cache = graded.settings.compilation_cache_dir
    assert (cache / CANARY_CACHE_FILE).read_text() == CANARY_XLA  # planted, readable by us
    assert len(list(cache.iterdir())) > 1  # and real entries are there too
    source = CACHE_SNOOP.format(cache=str(cache), name=CANARY_CACHE_FILE)
    result = grade_hostile(graded, source, mode)
    assert result.status == "failed", result.summary
    if mode == "run":  # stdout is shown in run mode: every attempt failed
        assert "READ" not in result.stdout, result.stdout
        for what in ("listdir", "read", "read-via-proc-root", "listdir-parent"):
            assert f"blocked {what} " in result.stdout, result.stdout
    assert CANARY_XLA not in result.stdout and CANARY_CACHE_FILE not in result.stdout


# ---------------------------------------------------------------- /proc

PROC_SNOOP = """
import json, os
import jax.numpy as jnp

pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print("PIDS " + json.dumps({"pids": pids, "self": os.getpid(), "parent": os.getppid()}))
for pid in pids:
    try:
        print("CMDLINE", pid, open(f"/proc/{pid}/cmdline", "rb").read()[:200])
    except OSError as exc:
        print("blocked", pid, type(exc).__name__)


def cumulative_sum(x):
    return jnp.zeros_like(x)
"""


def test_proc_shows_only_the_runners_own_namespace(graded: Grader) -> None:
    result = grade_hostile(graded, PROC_SNOOP, "run")
    line = next(x for x in result.stdout.splitlines() if x.startswith("PIDS "))
    seen = json.loads(line[len("PIDS ") :])
    pids = seen["pids"]
    assert seen["self"] == 1 and seen["parent"] == 0, seen  # PID 1 of its own namespace
    assert len(pids) <= 3, pids
    runner = graded.runner
    assert isinstance(runner, ZygoteRunner)
    zygote = runner.zygote_info["pid"]
    outside = {os.getpid(), os.getppid(), zygote}
    assert not outside & set(pids), (outside, pids)
    # Whatever it could name is itself, not the worker or the zygote's other children.
    assert not re.search(r"pytest|xdist", result.stdout), result.stdout


# ---------------------------------------------------------------- timing side channels

# Its executor time depends on the hidden input values (a timing oracle) and its answer
# is wrong; whatever the executor measured while it held hidden inputs must not be shown.
TIMING_ORACLE = (
    HEADER
    + """

def cumulative_sum(x):
    steps = (jnp.abs(x[0]) * 2000.0).astype(jnp.int32)
    def body(state):
        i, acc = state
        return i + 1, acc + jnp.sin(acc + x)
    _, acc = lax.while_loop(lambda s: s[0] < steps, body, (jnp.int32(0), x))
    return acc
"""
)

ALLOWED_SUBMIT_TIMINGS = {"spawn_ms", "runner_peak_memory_mb", "reference_ms"}


def test_submit_mode_shows_no_time_or_memory_measured_with_hidden_inputs(graded: Grader) -> None:
    shown = graded.grade(SLUG, TIMING_ORACLE, "run")  # run mode: no hidden inputs anywhere
    assert shown.status != "passed" and "wall_ms" in shown.timings, shown.timings
    result = grade_hostile(graded, TIMING_ORACLE, "submit")
    assert result.status == "failed", result.summary
    keys = set(result.timings)
    assert keys <= ALLOWED_SUBMIT_TIMINGS, keys
    for word in ("executor", "wall", "total", "sandbox", "runner_ms", "case"):
        assert not any(word in k for k in keys), (word, keys)
    hidden = [c for c in result.cases if c.hidden]
    assert hidden, result.cases
    for case in hidden:
        assert case.time_ms is None and case.message is None and case.got is None, case
        assert case.inputs is None and case.expected is None, case


def test_a_correct_submission_in_submit_mode_shows_no_executor_timings(graded: Grader) -> None:
    # The same holds when it passes.
    result = graded.grade(SLUG, correct_solution(), "submit")
    assert result.status == "passed"
    assert set(result.timings) <= ALLOWED_SUBMIT_TIMINGS, result.timings
    assert all(c.time_ms is None for c in result.cases if c.hidden)
