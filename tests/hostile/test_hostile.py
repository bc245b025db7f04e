"""Hostile submissions, judged at the RunOutcome level.

For every attack: the outcome is not a clean success with correct outputs unless the
attack demonstrably failed, no canary (environment, data-dir file, reference solution)
reaches any field of the outcome, no file outside the sandbox changed, no process of
the run survives it, and the same runner (the same zygote) then grades a correct
submission.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.config import GraderSettings
from grader.sandbox.protocol import RunOutcome
from grader.sandbox.runner import ZygoteRunner
from tests.sandbox.conftest import (
    CANARIES,
    CUMSUM,
    assert_cumsum_ok,
    limits,
    outcome_text,
    output,
    request,
)

WRONG = "    return jnp.zeros_like(x)\n"


def _snapshot(root: Path) -> dict[str, str]:
    state = {}
    for path in sorted(root.rglob("*")):
        if "uids" in path.relative_to(root).parts[:2]:
            continue  # the uid pool's lock files: the trusted side's own bookkeeping
        if path.is_file() and not path.is_symlink():
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[str(path)] = "dir" if path.is_dir() else "other"
    return state


def _zygote_children(runner: ZygoteRunner) -> str:
    pid = runner.zygote_info["pid"]
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().strip()


@pytest.fixture
def hostile(runner: ZygoteRunner, sandbox_world: dict[str, Path]) -> Iterator[ZygoteRunner]:
    before = _snapshot(sandbox_world["base"])
    zygote = runner.zygote_info["pid"]
    yield runner
    assert _snapshot(sandbox_world["base"]) == before, "a file outside the sandbox changed"
    assert runner.zygote_info["pid"] == zygote, "the zygote had to be restarted"
    assert _zygote_children(runner) == "", "a process of the run survived it"
    assert_cumsum_ok(runner.run(request(CUMSUM), limits()))


def assert_clean(outcome: RunOutcome) -> None:
    text = outcome_text(outcome)
    for canary in CANARIES:
        assert canary not in text, f"canary {canary} leaked into the outcome"


def assert_not_correct(outcome: RunOutcome) -> None:
    if outcome.kind != "ok":
        return
    for case in outcome.cases:
        if case.output is not None and np.allclose(case.output, np.cumsum(np.arange(6))):
            pytest.fail(f"hostile run produced correct outputs: {outcome}")


def run(runner: ZygoteRunner, body: str, **limit_overrides: Any) -> RunOutcome:
    source = "import os, sys\nimport numpy as np\nimport jax.numpy as jnp\n\n"
    source += "def cumulative_sum(x):\n" + body
    outcome = runner.run(request(source), limits(**limit_overrides))
    assert_clean(outcome)
    assert_not_correct(outcome)
    return outcome


# ---------------------------------------------------------------- files and secrets


def test_reading_secrets_references_and_data_fails(
    hostile: ZygoteRunner, sandbox_world: dict[str, Path]
) -> None:
    targets = [
        sandbox_world["data"] / "secrets.txt",
        sandbox_world["data"] / "jaxdojo.sqlite",
        sandbox_world["problems"] / "cumulative-sum" / "reference.py",
        Path("/etc/shadow"),
        Path("/proc/1/environ"),
        Path(f"/proc/{os.getpid()}/environ"),
        Path(f"/proc/{hostile.zygote_info['pid']}/environ"),
        Path("/root/.bash_history"),
    ]
    body = "    found = []\n"
    for target in targets:
        body += (
            f"    try:\n        found.append(open({str(target)!r}, 'rb').read())\n"
            "    except Exception as exc:\n        print('blocked', type(exc).__name__)\n"
        )
    body += (
        f"    try:\n        print(os.listdir({str(sandbox_world['data'])!r}))\n"
        "    except Exception as exc:\n        print('listdir blocked', type(exc).__name__)\n"
        "    print(found)\n"
        "    data = b''.join(found) or b'\\0'\n"
        "    return jnp.asarray(np.frombuffer(data, np.uint8))\n"
    )
    outcome = run(hostile, body)
    print(outcome.stdout)
    assert outcome.kind == "ok"
    assert outcome.stdout.count("blocked") >= len(targets), outcome.stdout
    assert "[]" in outcome.stdout


def test_environment_and_proc_secrets_do_not_leak(hostile: ZygoteRunner) -> None:
    body = (
        "    print(dict(os.environ))\n"
        "    print(open('/proc/self/environ', 'rb').read())\n"
        "    for pid in os.listdir('/proc'):\n"
        "        if pid.isdigit():\n"
        "            try:\n"
        "                print(open(f'/proc/{pid}/environ', 'rb').read()[:4000])\n"
        "                print(open(f'/proc/{pid}/cmdline', 'rb').read()[:200])\n"
        "            except Exception:\n"
        "                pass\n" + WRONG
    )
    outcome = run(hostile, body, max_stdout_bytes=1 << 20)
    assert outcome.kind == "ok"


def test_writing_outside_the_scratch_dir_fails(
    hostile: ZygoteRunner, sandbox_world: dict[str, Path]
) -> None:
    targets = [
        sandbox_world["data"] / "jaxdojo.sqlite",
        sandbox_world["data"] / "new-file",
        sandbox_world["base"] / "planted",
        Path("/tmp/jaxdojo-hostile-planted"),
        Path("/dev/shm/jaxdojo-hostile-planted"),
        Path(hostile.sandbox_root) / "planted",
    ]
    body = ""
    for target in targets:
        body += (
            f"    try:\n        open({str(target)!r}, 'w').write('pwned')\n"
            "        print('WROTE')\n"
            "    except Exception as exc:\n        print('blocked', type(exc).__name__)\n"
        )
    body += "    open('ok-in-scratch', 'w').write('fine')\n" + WRONG
    outcome = run(hostile, body)
    assert outcome.kind == "ok" and "WROTE" not in outcome.stdout, outcome.stdout
    assert not Path("/tmp/jaxdojo-hostile-planted").exists()
    assert not Path("/dev/shm/jaxdojo-hostile-planted").exists()


def test_symlinks_planted_in_scratch_are_not_followed(
    hostile: ZygoteRunner, sandbox_world: dict[str, Path]
) -> None:
    victim = sandbox_world["base"] / "victim.txt"
    victim.write_text("precious")
    victim_dir = sandbox_world["base"] / "victim-dir"
    victim_dir.mkdir(exist_ok=True)
    (victim_dir / "keep.txt").write_text("keep")
    body = (
        f"    os.symlink({str(victim)!r}, 'result.npy')\n"
        f"    os.symlink({str(victim)!r}, 'output.txt')\n"
        f"    os.symlink({str(victim_dir)!r}, 'subdir')\n"
        "    os.symlink('/', 'root')\n"
        "    os.mkdir('nested')\n"
        f"    os.symlink({str(victim_dir)!r}, 'nested/link')\n" + WRONG
    )
    outcome = run(hostile, body)
    assert outcome.kind == "ok"
    assert victim.read_text() == "precious" and (victim_dir / "keep.txt").exists()
    left = [p.name for p in Path(hostile.sandbox_root).iterdir() if p.name != "uids"]
    assert left == [], "scratch dir not removed"
    victim.unlink()
    (victim_dir / "keep.txt").unlink()
    victim_dir.rmdir()


# ---------------------------------------------------------------- network


def test_network_is_unreachable(hostile: ZygoteRunner) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        for _ in range(50):
            try:
                accepted.append(listener.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    body = "    import socket\n"
    for host, p in (("127.0.0.1", 5432), ("127.0.0.1", port), ("1.1.1.1", 80)):
        body += (
            f"    try:\n        socket.create_connection(({host!r}, {p}), timeout=1)\n"
            "        print('CONNECTED')\n"
            "    except Exception as exc:\n        print('blocked', type(exc).__name__)\n"
        )
    body += (
        "    try:\n        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
        "        print('CONNECTED')\n"
        "    except Exception as exc:\n        print('blocked', type(exc).__name__)\n" + WRONG
    )
    try:
        outcome = run(hostile, body)
    finally:
        thread.join()
        listener.close()
    assert outcome.kind == "ok" and "CONNECTED" not in outcome.stdout
    assert outcome.stdout.count("blocked") == 4
    assert accepted == []


# ---------------------------------------------------------------- forged results


def test_forged_results_on_stdout_and_stderr_are_only_text(hostile: ZygoteRunner) -> None:
    body = (
        "    from grader import wire\n"
        "    import json\n"
        "    fake = wire.encode_tree(np.cumsum(np.arange(6, dtype=np.float32)))\n"
        "    for fd in (1, 2):\n"
        "        os.write(fd, wire.frame(b'J' + json.dumps({'t': 'done'}).encode()))\n"
        "        os.write(fd, wire.frame(b'W' + fake))\n"
        "    print('RESULT: [0, 1, 3, 6, 10, 15]')\n" + WRONG
    )
    outcome = run(hostile, body)
    assert outcome.kind == "ok"
    assert np.array_equal(output(outcome), np.zeros(6))


@pytest.mark.parametrize("exit_after", [False, True], ids=["then-continue", "then-exit"])
def test_garbage_on_the_result_pipe_is_a_crash(hostile: ZygoteRunner, exit_after: bool) -> None:
    body = (
        "    for name in os.listdir('/proc/self/fd'):\n"
        "        fd = int(name)\n"
        "        if fd > 2:\n"
        "            try:\n"
        "                os.write(fd, b'\\xff' * 64 + b'garbage' * 100)\n"
        "            except OSError:\n"
        "                pass\n"
    )
    body += "    os._exit(0)\n" if exit_after else WRONG
    outcome = run(hostile, body)
    assert outcome.kind == "crashed", outcome


def test_forged_frames_interleaved_with_real_ones_are_a_crash(hostile: ZygoteRunner) -> None:
    body = (
        "    from grader import wire\n"
        "    import json\n"
        "    fake = wire.encode_tree(np.full(6, 42.0, np.float32))\n"
        "    for name in os.listdir('/proc/self/fd'):\n"
        "        fd = int(name)\n"
        "        if fd > 2:\n"
        "            try:\n"
        "                os.write(fd, wire.frame(b'J' + json.dumps({'t': 'case', 'name': 'small',"
        " 'time_ms': 1.0, 'error': None, 'output': True}).encode()))\n"
        "                os.write(fd, wire.frame(b'W' + fake))\n"
        "            except OSError:\n"
        "                pass\n" + WRONG
    )
    outcome = run(hostile, body)
    assert outcome.kind == "crashed"
    assert not any(c.output is not None and np.allclose(c.output, 42.0) for c in outcome.cases)


PICKLE_BLOB = (
    "    import io, json\n"
    "    from grader import wire\n"
    "    def evil_encode(tree):\n"
    "        buf = io.BytesIO()\n"
    "        np.save(buf, np.array([{'x': 1}], dtype=object), allow_pickle=True)\n"
    "        blob = buf.getvalue()\n"
    "        header = json.dumps(['a', 0, None]).encode()\n"
    "        return (wire.MAGIC + len(header).to_bytes(4, 'little') + header\n"
    "                + len(blob).to_bytes(8, 'little') + blob)\n"
)


def test_patching_the_output_encoder_changes_nothing(hostile: ZygoteRunner) -> None:
    # Outputs are encoded by the executor, which runs no student code: the runner's copy
    # of the encoder is never used for them.
    body = PICKLE_BLOB + "    wire.encode_tree = evil_encode\n" + WRONG
    outcome = run(hostile, body)
    assert outcome.kind == "ok"
    assert np.array_equal(output(outcome), np.zeros(6))


@pytest.mark.parametrize("kind", [b"W", b"B"], ids=["as-output", "as-artifact"])
def test_pickled_object_arrays_on_the_result_pipe_never_decode(
    hostile: ZygoteRunner, kind: bytes
) -> None:
    body = PICKLE_BLOB + (
        "    blob = evil_encode(None)\n"
        f"    head = {{'t': 'artifact', 'sig': 0, 'error': None, 'vmap_calls': 0}}\n"
        "    head['bytes'] = len(blob)\n"
        "    for name in os.listdir('/proc/self/fd'):\n"
        "        if int(name) > 2:\n"
        "            try:\n"
        "                os.write(int(name), wire.frame(b'J' + json.dumps(head).encode()))\n"
        f"                os.write(int(name), wire.frame({kind!r} + blob))\n"
        "                os.write(int(name), wire.frame(b'J' + b'{\"t\": \"done\"}'))\n"
        "            except OSError:\n"
        "                pass\n"
        "    os._exit(0)\n"
    )
    outcome = run(hostile, body)
    if kind == b"W":  # not a kind of frame the runner sends
        assert outcome.kind == "crashed", outcome
    else:  # relayed as the program: the executor refuses what is no exported program
        assert outcome.kind == "ok", outcome
        error = outcome.cases[0].error
        assert error is not None and error.type == "ProgramRefused", outcome.cases


@pytest.mark.parametrize(
    "ret",
    [
        "    class Always:\n        def __eq__(self, other):\n            return True\n"
        "    return Always()\n",
        "    return 'a string'\n",
        "    return np.array([object()], dtype=object)\n",
    ],
    ids=["always-equal", "string", "object-array"],
)
def test_non_array_outputs_are_errors(hostile: ZygoteRunner, ret: str) -> None:
    outcome = run(hostile, ret)
    assert outcome.kind == "ok"
    assert outcome.cases[0].output is None and outcome.cases[0].error is not None


def test_non_array_outputs_even_past_jit_are_refused(hostile: ZygoteRunner) -> None:
    source = (
        "import grader.exporting as ex\n"
        "import jax.numpy as jnp\n"
        "class Always:\n    def __eq__(self, other):\n        return True\n"
        "ex.plain_outputs = lambda tree: Always()\n"
        "def cumulative_sum(x):\n" + WRONG
    )
    outcome = hostile.run(request(source), limits())
    assert_clean(outcome)
    assert outcome.kind == "ok"
    assert outcome.cases[0].output is None and outcome.cases[0].error is not None
    assert outcome.cases[0].facts is None  # no program was made, so nothing ran


@pytest.mark.parametrize(
    "body",
    ["    sys.exit(0)\n", "    os._exit(0)\n", "    raise SystemExit(0)\n", "    os.abort()\n"],
    ids=["sys.exit", "os._exit", "SystemExit", "abort"],
)
def test_exiting_early_is_never_a_success(hostile: ZygoteRunner, body: str) -> None:
    outcome = run(hostile, body)
    assert not (outcome.kind == "ok" and all(c.error is None for c in outcome.cases))


def test_exit_at_import_time_is_not_a_success(hostile: ZygoteRunner) -> None:
    outcome = hostile.run(request("import os\nos._exit(0)\n"), limits())
    assert outcome.kind == "crashed"


def test_monkeypatching_does_not_affect_the_next_submission(hostile: ZygoteRunner) -> None:
    body = (
        "    import jax\n"
        "    jax.lax.scan = lambda *a, **k: (None, jnp.zeros(6))\n"
        "    np.cumsum = lambda *a, **k: np.zeros(6)\n"
        "    jnp.cumsum = lambda *a, **k: jnp.zeros(6)\n"
        "    import grader.execution\n"
        "    grader.execution.call_entry = None\n" + WRONG
    )
    run(hostile, body)
    source = CUMSUM + "\nimport numpy as np\nassert np.cumsum([1, 2])[1] == 3\n"
    assert_cumsum_ok(hostile.run(request(source), limits()))


# ---------------------------------------------------------------- resources


def test_huge_output_never_comes_back(hostile: ZygoteRunner) -> None:
    # Four times the 1 MiB output cap, computed by the executor from a tiny program.
    outcome = run(hostile, "    return jnp.zeros((1 << 20,), jnp.float32)\n")
    assert outcome.kind in ("output_too_large", "crashed"), outcome
    assert outcome.stage == "executor" and outcome.cases == []


def test_huge_output_is_output_too_large(hostile: ZygoteRunner) -> None:
    outcome = run(hostile, "    return jnp.zeros((1 << 20,), jnp.float32)\n")
    assert outcome.kind == "output_too_large", (outcome.kind, outcome.detail)


def test_huge_program_is_output_too_large(hostile: ZygoteRunner) -> None:
    # The runner's own output is the program: a 4 MiB constant makes a 4 MiB artifact.
    body = "    return x[0] + jnp.asarray(np.arange(1 << 20, dtype=np.float32))\n"
    outcome = run(hostile, body)
    assert outcome.kind == "output_too_large", (outcome.kind, outcome.detail)
    assert outcome.stage == "runner"


def test_print_flood_is_capped_and_does_not_block(hostile: ZygoteRunner) -> None:
    body = (
        "    chunk = 'x' * (1 << 20)\n"
        "    for _ in range(48):\n"
        "        print(chunk)\n"
        "        os.write(2, chunk.encode())\n" + WRONG
    )
    outcome = run(hostile, body, max_stdout_bytes=4096)
    assert outcome.kind == "ok"
    assert len(outcome.stdout) < 4096 + 200 and "output truncated" in outcome.stdout


def test_fork_exec_and_subprocess_are_blocked(hostile: ZygoteRunner) -> None:
    body = (
        "    import subprocess, multiprocessing\n"
        "    for attempt in (\n"
        "        lambda: os.fork(),\n"
        "        lambda: subprocess.Popen(['/bin/sh', '-c', 'sleep 100']),\n"
        "        lambda: os.execv('/bin/sh', ['/bin/sh']),\n"
        "        lambda: multiprocessing.Process(target=print).start(),\n"
        "    ):\n"
        "        try:\n"
        "            pid = attempt()\n"
        "            if pid == 0:\n"
        "                os._exit(0)\n"
        "            print('SPAWNED')\n"
        "        except Exception as exc:\n"
        "            print('blocked', type(exc).__name__)\n" + WRONG
    )
    outcome = run(hostile, body)
    assert "SPAWNED" not in outcome.stdout, outcome.stdout


def test_fork_bomb(hostile: ZygoteRunner) -> None:
    body = "    while True:\n        os.fork()\n"
    outcome = run(hostile, body, wall_time_s=5.0)
    assert outcome.kind != "ok" or outcome.cases[0].error is not None


def test_thread_storm(hostile: ZygoteRunner) -> None:
    body = (
        "    import threading, time\n"
        "    threads = []\n"
        "    for _ in range(5000):\n"
        "        t = threading.Thread(target=time.sleep, args=(30,), daemon=True)\n"
        "        t.start()\n"
        "        threads.append(t)\n" + WRONG
    )
    outcome = run(hostile, body, wall_time_s=10.0)
    assert outcome.kind != "ok" or outcome.cases[0].error is not None


def test_memory_hog_in_a_thread(hostile: ZygoteRunner) -> None:
    body = (
        "    import threading\n"
        "    def hog():\n"
        "        blocks = []\n"
        "        while True:\n"
        "            blocks.append(np.ones(1 << 24))\n"
        "    t = threading.Thread(target=hog)\n"
        "    t.start()\n"
        "    t.join()\n" + WRONG
    )
    outcome = run(hostile, body, memory_mb=384)
    assert outcome.kind == "memory", outcome


def test_unrolled_loop_under_jit_is_bounded(hostile: ZygoteRunner) -> None:
    body = "    for _ in range(10 ** 7):\n        x = x + 1.0\n    return x\n"
    outcome = run(hostile, body, wall_time_s=3.0)
    assert outcome.kind in ("timeout", "memory")


def test_infinite_loop_at_import(hostile: ZygoteRunner) -> None:
    outcome = hostile.run(request("while True:\n    pass\n"), limits(wall_time_s=2.0))
    assert outcome.kind == "timeout"


@pytest.mark.parametrize(
    "body",
    [
        "    import signal\n    os.kill(os.getppid(), signal.SIGKILL)\n",
        "    import signal\n    os.kill(-1, signal.SIGKILL)\n",
        "    import signal\n    os.killpg(0, signal.SIGKILL)\n",
        "    import signal\n"
        "    for pid in os.listdir('/proc'):\n"
        "        if pid.isdigit() and int(pid) != os.getpid():\n"
        "            try:\n                os.kill(int(pid), signal.SIGKILL)\n"
        "            except OSError:\n                pass\n",
    ],
    ids=["parent", "minus-one", "own-group", "every-pid"],
)
def test_killing_the_parent_or_everyone_fails(hostile: ZygoteRunner, body: str) -> None:
    outcome = run(hostile, body + WRONG)
    assert hostile.zygote_info["pid"] and os.path.exists(f"/proc/{hostile.zygote_info['pid']}")
    assert outcome.kind in ("ok", "crashed")


def test_ptrace_and_namespace_escapes_fail(hostile: ZygoteRunner) -> None:
    body = (
        "    import ctypes\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    print('ptrace', libc.ptrace(16, os.getppid(), 0, 0))\n"
        "    print('unshare', libc.unshare(0x10000000))\n"
        "    print('setuid', libc.setuid(0))\n" + WRONG
    )
    outcome = run(hostile, body)
    assert "ptrace -1" in outcome.stdout and "unshare -1" in outcome.stdout
    assert "setuid -1" in outcome.stdout


def test_disk_flood_in_scratch_is_bounded(hostile: ZygoteRunner) -> None:
    body = (
        "    written = 0\n"
        "    try:\n"
        "        for i in range(1000):\n"
        "            with open(f'f{i}', 'wb') as f:\n"
        "                for _ in range(64):\n"
        "                    f.write(b'x' * (1 << 20))\n"
        "                    written += 1 << 20\n"
        "    except OSError as exc:\n"
        "        print('stopped', type(exc).__name__, exc.errno)\n"
        "    print('written_mb', written >> 20)\n" + WRONG
    )
    outcome = run(hostile, body, max_file_mb=4)
    assert outcome.kind in ("ok", "memory")
    if outcome.kind == "ok":
        written = int(outcome.stdout.split("written_mb")[1].split()[0])
        assert written <= 4 * 4, outcome.stdout


class _NoHidingRunner(ZygoteRunner):
    """The mount namespace hides nothing: Landlock alone must keep secrets unreadable."""

    def _plan(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        plan = super()._plan(*args, **kwargs)
        plan["hide"] = []
        return plan


def test_landlock_alone_keeps_data_and_problems_unreadable(
    sandbox_settings: GraderSettings, sandbox_world: dict[str, Path]
) -> None:
    secret = sandbox_world["data"] / "secrets.txt"
    reference = sandbox_world["problems"] / "cumulative-sum" / "reference.py"
    body = ""
    for target in (secret, reference):
        body += (
            f"    try:\n        print(open({str(target)!r}).read())\n"
            "    except Exception as exc:\n        print('blocked', type(exc).__name__)\n"
        )
    with _NoHidingRunner(sandbox_settings) as runner:
        if not runner.layers["landlock"]:
            pytest.skip("Landlock is not available on this host")
        outcome = run(runner, body + WRONG)
    assert outcome.stdout.count("blocked PermissionError") == 2, outcome.stdout
