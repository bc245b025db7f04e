"""The trusted worker's side of one run: two sandboxed processes, one deadline.

The runner exports the student's function for every case signature; the executor checks
and runs those programs. The worker feeds both jobs, relays each artifact from the runner
to the executor the moment it has been decoded (so the executor compiles while the runner
is still exporting), reads both result streams and both outputs, kills both process trees
when the run ends, and turns what happened into a :class:`RunOutcome`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from grader import wire
from grader.errors import Cancelled, SandboxFailure
from grader.sandbox.cgroups import RunCgroup
from grader.sandbox.child import EXIT_MEMORY
from grader.sandbox.protocol import RunLimits
from grader.sandbox.results import MAX_JSON_FRAME, ProtocolViolation, _Stream

_CHUNK = 1 << 16


class ChildHandle(Protocol):
    """A started child: its pid, a descriptor readable once it exited, its wait status."""

    pid: int
    exit_fd: int

    @property
    def reaped(self) -> bool:
        """A wait status was received: the pid may already belong to someone else."""
        ...

    def poll_status(self) -> int | None: ...

    def wait_status(self, timeout_s: float) -> int | None: ...

    def close(self) -> None: ...


@dataclass
class Pipes:
    """The worker's ends: job (write), result (read), output (read)."""

    job_w: int
    result_r: int
    output_r: int

    def close(self) -> None:
        for fd in (self.job_w, self.result_r, self.output_r):
            with contextlib.suppress(OSError):
                os.close(fd)


def kill_tree(child: ChildHandle, cgroup: RunCgroup | None) -> None:
    """SIGKILL the child's process group and everything in its cgroup.

    The pid is only signalled while the child is unreaped (no status received yet), so
    the number cannot have been reused by an unrelated process.
    """
    if not child.reaped:
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(child.pid, signal.SIGKILL)
    if cgroup is not None:
        cgroup.kill_all()


@dataclass
class Sandboxed:
    """One sandboxed process as the worker sees it: its channels and what came back."""

    name: str  # "runner" or "executor"
    child: ChildHandle
    pipes: Pipes
    cgroup: RunCgroup | None
    stream: _Stream
    limits: RunLimits
    outbox: bytearray = field(default_factory=bytearray)
    close_job: bool = False  # close the job pipe once the outbox is empty
    stdout: bytearray = field(default_factory=bytearray)
    stdout_dropped: int = 0
    status: int | None = None
    violation: str = ""
    open_fds: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.reader = wire.FrameReader(
            max_frame=max(self.limits.max_output_bytes, MAX_JSON_FRAME) + 1,
            max_total=self.limits.max_output_bytes + 4 * MAX_JSON_FRAME,
        )
        for fd in (self.pipes.job_w, self.pipes.result_r, self.pipes.output_r):
            os.set_blocking(fd, False)
        self.open_fds = {self.pipes.result_r, self.pipes.output_r}

    @property
    def failed(self) -> bool:
        return (
            bool(self.violation)
            or self.stream.final in ("memory", "too_large")
            or (self.status is not None and self.stream.final is None)
        )

    @property
    def finished(self) -> bool:
        return self.stream.final == "done" and not self.violation

    def send(self, data: bytes, *, last: bool = False) -> None:
        self.outbox += data
        self.close_job = self.close_job or last

    def read_result(self) -> bool:
        chunk = self._read(self.pipes.result_r)
        if not chunk:
            return False
        try:
            for data in self.reader.feed(chunk):
                self.stream.feed(data)
        except wire.FrameTooLarge:
            # A frame over the output cap, honest or not, is more output than allowed.
            self.stream.final = self.stream.final or "too_large"
        except wire.WireError as exc:
            self.violation = str(exc)
        except ProtocolViolation as exc:
            self.violation = str(exc)
        return True

    def read_output(self) -> bool:
        chunk = self._read(self.pipes.output_r)
        if not chunk:
            return False
        room = max(self.limits.max_stdout_bytes - len(self.stdout), 0)
        self.stdout += chunk[:room]
        self.stdout_dropped += max(len(chunk) - room, 0)
        return True

    def _read(self, fd: int) -> bytes:
        if fd not in self.open_fds:
            return b""
        try:
            chunk = os.read(fd, _CHUNK)
        except BlockingIOError:
            return b""
        if not chunk:
            self.open_fds.discard(fd)
        return chunk

    def write_job(self) -> None:
        if self.pipes.job_w < 0:
            return
        if self.outbox:
            try:
                written = os.write(self.pipes.job_w, self.outbox[:_CHUNK])
                del self.outbox[:written]
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno != errno.EPIPE:
                    raise
                self.outbox.clear()
                self.close_job = True
        if not self.outbox and self.close_job:
            with contextlib.suppress(OSError):
                os.close(self.pipes.job_w)
            self.pipes.job_w = -1

    def check_exit(self) -> None:
        status = self.child.poll_status()
        if status is None:  # the status channel closed: the zygote died
            raise SandboxFailure("the sandbox zygote died during the run")
        self.status = status

    def kill(self) -> None:
        kill_tree(self.child, self.cgroup)

    def drain(self) -> None:
        """Read what the process wrote before it died (its tree is dead, so reads end in
        EOF; EAGAIN means an escaped process still holds a pipe, and we stop there)."""
        until = time.monotonic() + 1.0
        while self.read_result() and not self.violation and time.monotonic() < until:
            pass
        while self.read_output() and time.monotonic() < until:
            pass

    def stdout_text(self) -> str:
        text = bytes(self.stdout).decode("utf-8", errors="replace")
        if self.stdout_dropped:
            text += f"\n[output truncated: {self.stdout_dropped} more bytes not shown]\n"
        return text

    def failure(self, timed_out: bool) -> tuple[str, str]:
        """(kind, detail) of a process that did not finish cleanly."""
        limits, status = self.limits, self.status
        sig = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
        code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None
        oom = self.cgroup is not None and self.cgroup.oom_killed()
        if self.stream.final == "too_large":
            return "output_too_large", f"more than {limits.max_output_bytes} bytes came back"
        if timed_out:
            return "timeout", f"wall-clock limit of {limits.wall_time_s:g} s reached"
        if self.stream.final == "memory" or code == EXIT_MEMORY or (sig == signal.SIGKILL and oom):
            return "memory", f"memory limit of {limits.memory_mb} MB reached"
        if sig == signal.SIGXCPU:
            return "timeout", f"CPU time limit of {limits.cpu_time_s} s reached"
        if self.violation:
            return "crashed", f"the result stream was malformed ({self.violation[:200]})"
        if sig is not None:
            return "crashed", f"the process was killed by signal {signal.Signals(sig).name}"
        if code is not None:
            return "crashed", f"the process exited with code {code} before returning all results"
        return "crashed", "the process ended without a status"


CANCEL_CHECK_S = 0.05  # how often a cancellable run looks at its cancel event


def supervise(
    procs: list[Sandboxed],
    deadline: float,
    *,
    until_done: list[Sandboxed],
    cancel: threading.Event | None = None,
) -> bool:
    """Serve every process's channels until each of ``until_done`` has finished, any
    process failed, or the deadline passed. Returns True when the deadline passed.

    Raises Cancelled as soon as ``cancel`` is set (checked every ``CANCEL_CHECK_S``); the
    caller's cleanup kills the processes."""
    poller = select.poll()
    by_fd: dict[int, tuple[Sandboxed, str]] = {}
    for proc in procs:
        channels = [(proc.pipes.result_r, "result"), (proc.pipes.output_r, "output")]
        channels = [(fd, what) for fd, what in channels if fd in proc.open_fds]
        if proc.status is None:
            channels.append((proc.child.exit_fd, "exit"))
        for fd, what in channels:
            poller.register(fd, select.POLLIN)
            by_fd[fd] = (proc, what)
    writing: set[int] = set()
    while True:
        if any(p.failed for p in procs) or all(p.finished for p in until_done):
            return False
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now >= deadline:
            return True
        for proc in procs:
            wants = proc.pipes.job_w >= 0 and (bool(proc.outbox) or proc.close_job)
            fd = proc.pipes.job_w
            if wants and fd not in writing:
                poller.register(fd, select.POLLOUT)
                by_fd[fd] = (proc, "job")
                writing.add(fd)
            elif not wants and fd in writing:
                poller.unregister(fd)
                writing.discard(fd)
        wait_s = deadline - now if cancel is None else min(deadline - now, CANCEL_CHECK_S)
        for fd, event in poller.poll(max(1, int(wait_s * 1000))):
            proc, what = by_fd[fd]
            if what == "result":
                if not proc.read_result() and fd not in proc.open_fds:
                    poller.unregister(fd)
            elif what == "output":
                if not proc.read_output() and fd not in proc.open_fds:
                    poller.unregister(fd)
            elif what == "job":
                if event & (select.POLLERR | select.POLLHUP):
                    proc.outbox.clear()
                    proc.close_job = True
                proc.write_job()
                if proc.pipes.job_w < 0:
                    poller.unregister(fd)
                    writing.discard(fd)
            elif what == "exit":
                poller.unregister(fd)
                proc.check_exit()
                proc.drain()
