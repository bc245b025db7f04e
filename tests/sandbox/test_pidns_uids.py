"""The PID namespace layer (own /proc, a reaper that relays the exit) and per-run uids.

Real processes, as root: each test forks a process that runs ``isolation.apply`` with a
plan from ``build_plan``, exactly as the zygote's children do, and reads what the
isolated process reports on a pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox import doctor, isolation
from grader.sandbox.uids import UidPool

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

POOL_BASE = 641000  # outside the default pool, in case a worker runs on this host


@pytest.fixture
def sandbox_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="jaxdojo-pidns-test-"))
    os.chmod(root, 0o711)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pool(tmp_path: Path) -> UidPool:
    return UidPool(base=POOL_BASE, count=4, lock_dir=tmp_path / "uid-locks")


def make_plan(root: Path, **overrides: Any) -> dict[str, Any]:
    scratch = tempfile.mkdtemp(prefix="run-", dir=root)
    values: dict[str, Any] = {
        "scratch": scratch,
        "scratch_mb": 16,
        "cgroups": {},
        "rlimits": {"nofile": 256, "core": 0},
        "forbidden": [str(root)],
        "read_only": [],
        "gpu": False,
        "parent_pid": os.getpid(),
    }
    values.update(overrides)
    return isolation.build_plan(**values)


def _body_default(write: Callable[[dict[str, Any]], None]) -> int:
    return 0


class Isolated:
    """A forked process that ran ``isolation.apply(plan)`` and then ``body``."""

    def __init__(
        self, plan: dict[str, Any], body: Callable[[Callable[[dict[str, Any]], None]], int]
    ) -> None:
        read_fd, write_fd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the isolated process
            code = 99
            try:
                os.close(read_fd)
                report = isolation.apply(plan)

                def write(message: dict[str, Any]) -> None:
                    os.write(write_fd, json.dumps(message).encode() + b"\n")

                write({"report": report})
                code = body(write)
            finally:
                os._exit(code)
        os.close(write_fd)
        self.read_fd = read_fd
        self.buffer = b""
        self.status: int | None = None

    def message(self, timeout_s: float = 30.0) -> dict[str, Any] | None:
        """The next message, or ``None`` at EOF."""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "the isolated process said nothing"
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        result: dict[str, Any] = json.loads(line)
        return result

    def wait(self, timeout_s: float = 30.0) -> int:
        deadline = time.monotonic() + timeout_s
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return status
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError("the reaper did not exit")
            time.sleep(0.01)

    def kill(self) -> None:
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(OSError):
                kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        if self.status is None:
            self.kill()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        os.close(self.read_fd)


@pytest.fixture
def isolated() -> Iterator[Callable[..., Isolated]]:
    started: list[Isolated] = []

    def start(
        plan: dict[str, Any],
        body: Callable[[Callable[[dict[str, Any]], None]], int] = _body_default,
    ) -> Isolated:
        process = Isolated(plan, body)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


def _numeric_proc_entries() -> list[str]:
    return sorted(name for name in os.listdir("/proc") if name.isdigit())


LIBC = ctypes.CDLL(None, use_errno=True)


def _observe(write: Callable[[dict[str, Any]], None]) -> int:
    value = ctypes.c_int(-1)
    LIBC.prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
    write(
        {
            "pdeathsig": value.value,
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "proc": _numeric_proc_entries(),
            "uid": os.getuid(),
            "gid": os.getgid(),
            "groups": os.getgroups(),
        }
    )
    return 7


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _is_dead(pid: int, timeout_s: float = 5.0) -> bool:
    """Gone, or a zombie waiting for whoever it was reparented to."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return True
        time.sleep(0.01)
    return False


# ---------------------------------------------------------------------------- PID namespace


def test_isolated_process_is_pid_1_and_sees_only_itself(
    sandbox_root: Path, pool: UidPool, isolated: Callable[..., Isolated]
) -> None:
    with pool.acquire(5.0) as lease:
        plan = make_plan(sandbox_root, uid=lease.uid, gid=lease.gid)
        assert plan["pidns"] is True and plan["uid"] == lease.uid
        process = isolated(plan, _observe)
        first = process.message()
        assert first is not None
        report = first["report"]
        seen = process.message()
        assert seen is not None
        status = process.wait()
    assert report["pidns"] is True, report
    assert report["mountns"] is True and report["seccomp"] and report["landlock"]
    assert report["uid"] == str(lease.uid) and report["uid_drop"] is True
    assert seen["pid"] == 1
    # Still armed after the uid change (which clears it): the reaper's death kills it.
    assert report["pdeathsig"] is True and seen["pdeathsig"] == signal.SIGKILL
    assert seen["ppid"] == 0  # the reaper is outside the namespace
    assert seen["proc"] == ["1"], seen["proc"]
    assert (seen["uid"], seen["gid"], seen["groups"]) == (lease.uid, lease.gid, [])
    assert (
        doctor.missing_layers(
            {**report, "env_allowlist": True, "cgroup_memory": True, "cgroup_pids": True}
        )
        == []
    )
    # The reaper relays the isolated process's exit code.
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7


def test_default_plan_is_nobody_and_pidns_can_be_disabled(
    sandbox_root: Path, isolated: Callable[..., Isolated]
) -> None:
    plan = make_plan(sandbox_root, pidns=False)
    assert (plan["uid"], plan["gid"]) == isolation.nobody_ids()
    process = isolated(plan, _observe)
    first = process.message()
    seen = process.message()
    assert first is not None and seen is not None
    assert first["report"]["pidns"] is False
    assert first["report"]["uid"] == "nobody" and first["report"]["uid_drop"] is True
    assert seen["pid"] == process.pid  # no namespace, no reaper: the forked process itself
    assert seen["pdeathsig"] == signal.SIGKILL
    assert seen["uid"] == isolation.nobody_ids()[0]
    assert len(seen["proc"]) > 1  # the host's /proc
    status = process.wait()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7


def test_killing_the_process_group_is_a_signal_death(
    sandbox_root: Path, isolated: Callable[..., Isolated]
) -> None:
    hold_r, hold_w = os.pipe()

    def block(write: Callable[[dict[str, Any]], None]) -> int:
        write({"ready": True})
        os.read(hold_r, 1)  # blocks: the test never writes
        return 0

    try:
        process = isolated(make_plan(sandbox_root), block)
        assert process.message() is not None
        assert process.message() == {"ready": True}
        inner = _children(process.pid)
        assert len(inner) == 1
        os.killpg(process.pid, signal.SIGKILL)
        status = process.wait()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        assert process.message() is None  # no process holds the pipe any more
        assert _is_dead(inner[0])
    finally:
        os.close(hold_r)
        os.close(hold_w)


def test_killing_only_the_reaper_kills_the_run(
    sandbox_root: Path, isolated: Callable[..., Isolated]
) -> None:
    hold_r, hold_w = os.pipe()

    def block(write: Callable[[dict[str, Any]], None]) -> int:
        write({"ready": True})
        os.read(hold_r, 1)
        return 0

    try:
        process = isolated(make_plan(sandbox_root), block)
        assert process.message() is not None and process.message() == {"ready": True}
        os.kill(process.pid, signal.SIGKILL)  # PDEATHSIG takes the namespace's PID 1 down
        status = process.wait()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        assert process.message(timeout_s=10.0) is None
    finally:
        os.close(hold_r)
        os.close(hold_w)


def test_a_fault_is_relayed_as_that_signal(
    sandbox_root: Path, isolated: Callable[..., Isolated]
) -> None:
    def crash(write: Callable[[dict[str, Any]], None]) -> int:
        faulthandler.disable()  # no traceback in the test log
        ctypes.string_at(0)  # SIGSEGV: a fault kills even a namespace's PID 1
        return 0

    process = isolated(make_plan(sandbox_root), crash)
    assert process.message() is not None
    status = process.wait()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV


def test_cpu_limit_is_relayed_as_sigxcpu(
    sandbox_root: Path, isolated: Callable[..., Isolated]
) -> None:
    def spin(write: Callable[[dict[str, Any]], None]) -> int:
        while True:
            pass

    plan = make_plan(sandbox_root, rlimits={"cpu": 1, "core": 0})
    process = isolated(plan, spin)
    first = process.message()
    assert first is not None and first["report"]["pidns"] is True
    status = process.wait(timeout_s=30.0)
    # PID 1 ignores SIGXCPU and dies by the hard limit's SIGKILL; the reaper says SIGXCPU,
    # which is what the supervisor turns into a CPU-time "timeout".
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU


def test_reaper_holds_no_descriptor_of_the_run(
    sandbox_root: Path, isolated: Callable[..., Isolated]
) -> None:
    hold_r, hold_w = os.pipe()

    def block(write: Callable[[dict[str, Any]], None]) -> int:
        write({"ready": True})
        os.read(hold_r, 1)
        return 0

    try:
        process = isolated(make_plan(sandbox_root), block)
        assert process.message() is not None and process.message() == {"ready": True}
        fds = os.listdir(f"/proc/{process.pid}/fd")
        assert len(fds) <= 1, fds  # at most the pipe that tells PID 1 it is alive
        for fd in fds:
            assert os.readlink(f"/proc/{process.pid}/fd/{fd}").startswith("pipe:")
    finally:
        os.close(hold_r)
        os.close(hold_w)


def test_runs_with_different_uids_cannot_signal_each_other(
    sandbox_root: Path, pool: UidPool, isolated: Callable[..., Isolated]
) -> None:
    hold_r, hold_w = os.pipe()

    def block(write: Callable[[dict[str, Any]], None]) -> int:
        write({"ready": True})
        os.read(hold_r, 1)
        return 0

    try:
        with pool.acquire(5.0) as first, pool.acquire(5.0) as second:
            assert first.uid != second.uid
            process = isolated(make_plan(sandbox_root, uid=first.uid), block)
            assert process.message() is not None and process.message() == {"ready": True}
            (target,) = _children(process.pid)
            assert os.stat(f"/proc/{target}").st_uid == first.uid

            def try_signal(uid: int) -> int:
                pid = os.fork()
                if pid == 0:  # pragma: no cover
                    code = 98
                    try:
                        os.setgroups([])
                        os.setresgid(uid, uid, uid)
                        os.setresuid(uid, uid, uid)
                        try:
                            os.kill(target, 0)
                            code = 0
                        except PermissionError:
                            code = 1
                    finally:
                        os._exit(code)
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

            assert try_signal(second.uid) == 1  # another run's uid: EPERM
            assert try_signal(first.uid) == 0  # the same uid could: the test can tell
    finally:
        os.close(hold_r)
        os.close(hold_w)


def test_build_plan_refuses_root_ids(sandbox_root: Path) -> None:
    with pytest.raises(ValueError):
        make_plan(sandbox_root, uid=0)
    plan = make_plan(sandbox_root, uid=POOL_BASE)
    assert (plan["uid"], plan["gid"]) == (POOL_BASE, POOL_BASE)


def test_missing_layers_accepts_old_and_new_uid_records() -> None:
    full = {name: True for name in doctor.REQUIRED}
    new = {**full, "uid": "641000", "uid_drop": True}
    assert doctor.missing_layers(new) == []
    assert doctor.missing_layers({**new, "uid_drop": False}) == ["uid_drop"]
    old = {k: v for k, v in full.items() if k != "uid_drop"}
    assert doctor.missing_layers({**old, "uid": "nobody"}) == []
    assert doctor.missing_layers({**old, "uid": "root"}) == ["uid_drop"]
    assert "pidns" in doctor.missing_layers({**new, "pidns": False})


# ---------------------------------------------------------------------------- uid pool


def test_pool_hands_out_distinct_uids_and_reuses_released_ones(pool: UidPool) -> None:
    first = pool.acquire(1.0)
    second = pool.acquire(1.0)
    assert first.uid != second.uid
    assert {first.uid, second.uid} <= set(range(POOL_BASE, POOL_BASE + 4))
    assert first.gid == first.uid
    lock = pool.lock_dir / f"uid-{first.uid}.lock"
    assert os.stat(lock).st_mode & 0o777 == 0o600
    first.release()
    first.release()  # idempotent
    others = [pool.acquire(1.0) for _ in range(3)]
    assert sorted([second.uid, *(o.uid for o in others)]) == list(range(POOL_BASE, POOL_BASE + 4))
    assert first.uid in {o.uid for o in others}
    for lease in (second, *others):
        lease.release()


def test_exhausted_pool_times_out(tmp_path: Path) -> None:
    pool = UidPool(base=POOL_BASE, count=1, lock_dir=tmp_path / "locks")
    with pool.acquire(1.0):
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            pool.acquire(0.2)
        assert 0.15 < time.monotonic() - started < 2.0
    with pool.acquire(0.1) as lease:
        assert lease.uid == POOL_BASE


def test_pool_is_exclusive_across_processes(tmp_path: Path) -> None:
    lock_dir = tmp_path / "locks"
    marks = tmp_path / "marks"
    marks.mkdir()
    pool = UidPool(base=POOL_BASE, count=2, lock_dir=lock_dir)
    # One process holds the only free uid ... the other must wait for it.
    with pool.acquire(1.0) as held:
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            code = 97
            try:
                other = UidPool(base=POOL_BASE, count=2, lock_dir=lock_dir)
                lease = other.acquire(1.0)
                code = 0 if lease.uid != held.uid else 1
                try:
                    other.acquire(0.1)
                    code = 2
                except TimeoutError:
                    pass
            finally:
                os._exit(code)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0

    # Many processes, each taking uids and marking them: no mark is ever taken twice.
    workers = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            code = 96
            try:
                mine = UidPool(base=POOL_BASE, count=2, lock_dir=lock_dir)
                for _ in range(25):
                    with mine.acquire(10.0) as lease:
                        mark = marks / str(lease.uid)
                        fd = os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                        os.close(fd)
                        time.sleep(0.002)
                        mark.unlink()
                code = 0
            except FileExistsError:
                code = 1
            finally:
                os._exit(code)
        workers.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in workers]
    assert codes == [0, 0, 0, 0]


def test_pool_is_exclusive_across_threads(pool: UidPool) -> None:
    import threading

    leases = []
    guard = threading.Lock()

    def take() -> None:
        lease = pool.acquire(5.0)
        with guard:
            leases.append(lease)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(lease.uid for lease in leases) == list(range(POOL_BASE, POOL_BASE + 4))
    assert pool.try_acquire() is None
    for lease in leases:
        lease.release()


def test_pool_refuses_bad_ranges(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        UidPool(base=0, count=4, lock_dir=tmp_path)
    with pytest.raises(ValueError):
        UidPool(base=POOL_BASE, count=0, lock_dir=tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(PermissionError):
        UidPool(base=POOL_BASE, count=1, lock_dir=shared)
