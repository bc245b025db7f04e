"""Isolation layers applied inside a sandboxed child, in order, before any student byte is
read; and the plan the trusted side builds for them.

Every layer is attempted where the plan asks for it and recorded in the report that
becomes ``RunOutcome.isolation``. The report is written to the result channel before
the child reads the job, so student code cannot have influenced it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import resource
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

from grader.sandbox import landlock, seccomp

_CLONE_NEWNS = 0x00020000
_CLONE_NEWNET = 0x40000000
_CLONE_NEWPID = 0x20000000
_PR_SET_PDEATHSIG = 1
_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_REMOUNT = 32
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)

# Readable by children (Landlock); everything else is unreadable, including the
# problems directory, the data directory (database, reference cache) and /root.
SYSTEM_READ_PATHS = (
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/proc",
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/dev/random",
)
# Shared, world-writable or secret places hidden by the mount namespace (covered by an
# empty read-only tmpfs in the child; nothing is ever created in them).
ALWAYS_HIDDEN = ("/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/run", "/srv", "/mnt")  # noqa: S108

NOBODY = "nobody"


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def nobody_ids() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(NOBODY)
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def python_read_paths() -> list[str]:
    """Interpreter and site-packages directories that contain no grader secrets."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for entry in sys.path:
        if entry and os.path.isdir(entry) and "site-packages" in entry:
            paths.add(entry)
    return sorted(paths)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def build_plan(
    *,
    scratch: str,
    scratch_mb: int,
    cgroups: dict[str, str | None],
    rlimits: dict[str, int],
    forbidden: list[str],
    read_only: list[str],
    gpu: bool,
    parent_pid: int,
    uid: int | None = None,
    gid: int | None = None,
    pidns: bool = True,
) -> dict[str, Any]:
    """The isolation plan for one child (trusted data, no secrets, JSON-serializable).

    ``forbidden`` are directories the child must never read (problems, data dir, caches
    other than the read-only ones, the sandbox root); ``read_only`` are extra paths it
    may read (the compilation cache). ``uid``/``gid`` are the ids the child drops to
    (default ``nobody``; a uid leased from :class:`grader.sandbox.uids.UidPool` gives each
    concurrent run its own, and then the gid defaults to the same number). ``pidns``
    puts the child in its own PID namespace with its own ``/proc``.
    """
    nobody_uid, nobody_gid = nobody_ids()
    if uid is None:
        uid = nobody_uid
    if gid is None:
        gid = nobody_gid if uid == nobody_uid else uid
    if uid <= 0 or gid <= 0:
        raise ValueError("a sandboxed child must not keep uid or gid 0")
    forbidden = [os.path.realpath(p) for p in forbidden]
    read = [
        p
        for p in [*SYSTEM_READ_PATHS, *python_read_paths(), *read_only]
        if not any(_under(f, p) or _under(p, f) for f in forbidden) or p in read_only
    ]
    write = [scratch, "/dev/null"]
    if gpu:
        write += [f"/dev/{n}" for n in _gpu_devices()]
        read += ["/proc/driver", "/sys"]
    hidden = sorted({*ALWAYS_HIDDEN, *forbidden}, key=len)
    keep = sorted(p for p in {*python_read_paths(), *read_only} if os.path.isdir(p))
    return {
        "scratch": scratch,
        "scratch_mb": scratch_mb,
        "cgroups": cgroups,
        "rlimits": rlimits,
        "uid": uid,
        "gid": gid,
        "landlock_read": read,
        "landlock_write": write,
        "hide": hidden,
        "keep_ro": keep,
        "parent_pid": parent_pid,
        "pidns": pidns,
    }


def _gpu_devices() -> list[str]:
    try:
        return [n for n in os.listdir("/dev") if n.startswith("nvidia") or n == "dri"]
    except OSError:
        return []


def apply(plan: dict[str, Any]) -> dict[str, Any]:
    """Apply every layer to the calling process (root, single-threaded, just forked).

    Never raises: a layer that fails is recorded as ``False`` or with its error.
    """
    report: dict[str, Any] = {"env_allowlist": True}
    try:
        os.setsid()
        report["setsid"] = True
    except OSError:
        report["setsid"] = False
    for controller in ("memory", "pids"):
        procs = plan["cgroups"].get(controller)
        report[f"cgroup_{controller}"] = False
        if procs:
            try:
                Path(procs).write_text(str(os.getpid()))
                report[f"cgroup_{controller}"] = True
            except OSError:
                pass
    report["pdeathsig"] = _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != plan["parent_pid"]:
        os._exit(70)  # the parent died before PDEATHSIG was armed
    report["netns"] = _libc.unshare(_CLONE_NEWNET) == 0
    # From here on the caller may be PID 1 of a new PID namespace, its parent a reaper
    # that relays its exit status (getppid() is 0 there: the parent is outside, so the
    # reaper's liveness is read from a pipe instead).
    alive_fd = _enter_pid_namespace(plan) if plan.get("pidns", True) else None
    in_pidns = alive_fd is not None
    if in_pidns:
        report["pdeathsig"] = _arm_pdeathsig(plan, alive_fd) and report["pdeathsig"]
    report["mountns"], own_proc = _mount_namespace(plan, own_proc=in_pidns)
    report["pidns"] = in_pidns and own_proc
    report["rlimits"] = _rlimits(plan["rlimits"])
    scratch_ok = _enter_scratch(plan["scratch"], plan["uid"], plan["gid"])
    report["scratch_dir"] = ("tmpfs" if report["mountns"] else "disk") if scratch_ok else False
    report["uid"], report["uid_drop"] = _drop_privileges(plan["uid"], plan["gid"])
    # Changing the uid clears the parent-death signal: arm it again (and check again).
    report["pdeathsig"] = _arm_pdeathsig(plan, alive_fd) and report["pdeathsig"]
    if alive_fd is not None:
        os.close(alive_fd)
    try:
        report["landlock"] = landlock.restrict_self(
            read=plan["landlock_read"], write=plan["landlock_write"]
        )
    except OSError as exc:
        report["landlock"] = False
        report["landlock_error"] = str(exc)
    try:
        report["seccomp"] = seccomp.install_filter()
    except OSError as exc:
        report["seccomp"] = False
        report["seccomp_error"] = str(exc)
    report["no_new_privs"] = _no_new_privs()
    return report


def _arm_pdeathsig(plan: dict[str, Any], alive_fd: int | None) -> bool:
    """Arm PR_SET_PDEATHSIG(SIGKILL), then make sure the parent had not died already
    (``os._exit(70)`` if it had). In a PID namespace the parent is the reaper, alive
    while the write end of ``alive_fd``'s pipe is open."""
    armed = _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if alive_fd is None:
        if os.getppid() != plan["parent_pid"]:
            os._exit(70)
        return armed
    try:
        parent_gone = os.read(alive_fd, 1) == b""
    except BlockingIOError:
        parent_gone = False
    if parent_gone:
        os._exit(70)
    return armed


def _enter_pid_namespace(plan: dict[str, Any]) -> int | None:
    """Become PID 1 of a new PID namespace: unshare it, fork, and turn the original
    process into a reaper that only relays the new process's exit (:func:`_reap`).

    Returns in the new process only, with a non-blocking descriptor that reads EOF once
    the reaper is dead; or in the original one if there is no namespace (``None``,
    nothing changed). The reaper never returns.
    """
    try:
        own_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        # The reaper keeps the write end until it dies: EOF tells the new process that
        # its parent died before PR_SET_PDEATHSIG was armed (again).
        alive_r, alive_w = os.pipe2(os.O_CLOEXEC)
    except OSError:
        os.close(own_ns)
        return None
    try:
        if _libc.unshare(_CLONE_NEWPID) != 0:
            os.close(alive_r)
            os.close(alive_w)
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(alive_r)
            os.close(alive_w)
            # Without a PID 1 the namespace is dead, and a process whose children would
            # go to another namespace cannot create threads: go back to ours.
            if _libc.setns(own_ns, _CLONE_NEWPID) != 0:
                os._exit(70)
            return None
    finally:
        os.close(own_ns)
    if pid != 0:
        os.close(alive_r)
        _reap(pid, alive_w, plan["rlimits"].get("cpu"))
    os.close(alive_w)
    os.set_blocking(alive_r, False)
    return alive_r


def _reap(pid: int, keep_fd: int, cpu_limit: int | None) -> NoReturn:
    """The reaper: outside the namespace, root, holding no descriptor but ``keep_fd``;
    waits for the namespace's PID 1 and exits the same way, so the worker sees the run's
    own status. Killing it (or its process group, or the cgroup) kills the run too."""
    code = 70
    try:
        for signum in signal.valid_signals():
            try:
                if callable(signal.getsignal(signum)):  # no Python code runs on a signal
                    signal.signal(signum, signal.SIG_DFL)
            except (OSError, ValueError):
                continue
        signal.set_wakeup_fd(-1)
        _close_all_but(keep_fd)
        while True:
            try:
                _, status, usage = os.wait4(pid, 0)
                break
            except InterruptedError:
                continue
        if os.WIFEXITED(status):
            code = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            # PID 1 of a namespace ignores SIGXCPU (no handler), so the CPU limit ends in
            # the hard limit's SIGKILL: report it as the CPU limit it was.
            used = usage.ru_utime + usage.ru_stime
            if sig == signal.SIGKILL and cpu_limit and used >= cpu_limit:
                sig = signal.SIGXCPU
            code = 128 + sig
            _die_by(sig)
    except BaseException:  # noqa: S110 - never return into the caller's code
        pass
    finally:
        os._exit(code)


def _close_all_but(keep_fd: int) -> None:
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        limit = max(os.sysconf("SC_OPEN_MAX"), keep_fd + 1)
        os.closerange(0, keep_fd)
        os.closerange(keep_fd + 1, limit)
        return
    for fd in fds:  # includes the one listdir used, already closed
        if fd != keep_fd:
            try:
                os.close(fd)
            except OSError:
                continue


def _die_by(sig: int) -> None:
    """End the calling process by signal ``sig`` (returns if that signal cannot)."""
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # never dump the reaper
    with contextlib.suppress(OSError, ValueError):  # SIGKILL, SIGSTOP: no handler
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError, ValueError):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
        os.kill(os.getpid(), sig)


def _mount_namespace(plan: dict[str, Any], *, own_proc: bool = False) -> tuple[bool, bool]:
    """Private mount namespace: hide secret and shared directories under read-only tmpfs,
    bind back the interpreter and the read-only caches, and give the scratch dir its own
    size-capped tmpfs. With ``own_proc`` (the caller is PID 1 of a new PID namespace) a
    fresh procfs on ``/proc`` shows only that namespace's processes.

    Returns whether the namespace is complete, and whether ``/proc`` is the new one.
    """
    if _libc.unshare(_CLONE_NEWNS) != 0:
        return False, False
    try:
        _check(_libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "make / private")
    except OSError:
        return False, False  # a mount now could propagate to the host: make none
    proc_ok = False
    if own_proc:
        flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
        proc_ok = _libc.mount(b"proc", b"/proc", b"proc", flags, None) == 0
    try:
        scratch = plan["scratch"]
        keep: list[tuple[str, bool]] = [(p, True) for p in plan["keep_ro"]]
        keep_fds = []
        for path, read_only in keep:
            try:
                keep_fds.append((path, read_only, os.open(path, os.O_PATH | os.O_CLOEXEC)))
            except OSError:
                continue
        hidden: list[str] = []
        for path in plan["hide"]:
            if any(_under(path, h) for h in hidden) or not os.path.isdir(path):
                continue
            flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            _check(_libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"mode=755"), path)
            hidden.append(path)
        for path, read_only, fd in keep_fds:
            if any(_under(path, h) for h in hidden):
                os.makedirs(path, mode=0o755, exist_ok=True)
                source = f"/proc/self/fd/{fd}".encode()
                _check(_libc.mount(source, path.encode(), None, _MS_BIND | _MS_REC, None), path)
                if read_only:
                    flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV
                    _check(_libc.mount(None, path.encode(), None, flags, None), path)
            os.close(fd)
        # The scratch dir becomes a size-capped tmpfs private to this child: disk floods
        # are bounded (and charged to its memory cgroup), and nothing it plants there is
        # ever visible to the worker.
        os.makedirs(scratch, mode=0o755, exist_ok=True)
        options = f"size={int(plan['scratch_mb'])}m,mode=700".encode()
        flags = _MS_NOSUID | _MS_NODEV
        _check(_libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", flags, options), scratch)
        for path in hidden:
            flags = _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            _check(_libc.mount(None, path.encode(), None, flags, None), f"read-only {path}")
    except OSError:
        return False, proc_ok
    return True, proc_ok


_RLIMITS = {
    "cpu": resource.RLIMIT_CPU,
    "data": resource.RLIMIT_DATA,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "nproc": resource.RLIMIT_NPROC,
    "core": resource.RLIMIT_CORE,
}


def _rlimits(limits: dict[str, int]) -> dict[str, int] | bool:
    applied = {}
    for name, value in limits.items():
        hard = value + 1 if name == "cpu" else value  # SIGXCPU first, SIGKILL a second later
        try:
            resource.setrlimit(_RLIMITS[name], (value, hard))
            applied[name] = value
        except (OSError, ValueError):
            return False
    return applied


def _enter_scratch(scratch: str, uid: int, gid: int) -> bool:
    try:
        fd = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if os.geteuid() == 0:  # unprivileged workers keep the dir they made themselves
            os.fchown(fd, uid, gid)
        os.fchmod(fd, 0o700)
        os.fchdir(fd)
    except OSError:
        return False
    finally:
        os.close(fd)
    os.environ["HOME"] = scratch
    os.environ["TMPDIR"] = scratch
    import tempfile

    tempfile.tempdir = scratch
    return True


def _drop_privileges(uid: int, gid: int) -> tuple[str, bool]:
    """Set exactly ``uid``/``gid`` (real, effective, saved) and no supplementary groups.

    Returns the uid as recorded (``nobody`` or the number) and whether the drop to a
    non-root uid took effect.
    """
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    except OSError:
        return ("root" if os.geteuid() == 0 else str(os.geteuid())), False
    dropped = (
        uid != 0
        and os.getresuid() == (uid, uid, uid)
        and os.getresgid() == (gid, gid, gid)
        and not os.getgroups()
    )
    return (NOBODY if uid == nobody_ids()[0] else str(uid)), dropped


def _no_new_privs() -> bool:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("NoNewPrivs:"):
                return line.split()[1] == "1"
    except OSError:
        pass
    return False
