"""The trusted worker's side of one run: feed the job, read results and output with a
deadline, kill the whole tree, and turn what happened into a :class:`RunOutcome`.

The job is fed in two phases (see :mod:`grader.sandbox.child`): the hidden cases' inputs
are written only after the child's ``visible_done``, once every probe and visible case
result has been received and decoded. One wall-clock deadline covers both phases."""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import time
from dataclasses import dataclass, field
from typing import Protocol

from grader import wire
from grader.errors import SandboxFailure
from grader.sandbox.cgroups import RunCgroup
from grader.sandbox.protocol import RunLimits, RunOutcome, RunRequest
from grader.sandbox.results import MAX_JSON_FRAME, ProtocolViolation, ResultStream

_CHUNK = 1 << 16
_EXIT_GRACE_S = 2.0
_MEMORY_EXIT = 72


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
    extra: list[int] = field(default_factory=list)

    def close(self) -> None:
        for fd in (self.job_w, self.result_r, self.output_r, *self.extra):
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
class _State:
    stdout: bytearray = field(default_factory=bytearray)
    stdout_dropped: int = 0
    status: int | None = None
    timed_out: bool = False
    killed_after_done: bool = False
    violation: str = ""
    hidden_sent: bool = False  # the hidden cases' inputs were handed to the child


def supervise(
    child: ChildHandle,
    pipes: Pipes,
    job: bytes,
    request: RunRequest,
    limits: RunLimits,
    cgroup: RunCgroup | None,
    *,
    hidden_job: bytes = b"",
) -> tuple[RunOutcome, float]:
    """Run the child to completion or deadline. Returns the outcome and the wall ms.

    ``job`` is phase 1; ``hidden_job`` (phase 2, the hidden cases' inputs) is written only
    once the result stream says every visible result is in. The job pipe stays open
    between the phases when there is a phase 2."""
    start = time.monotonic()
    deadline = start + limits.wall_time_s
    stream = ResultStream(request, max_output_bytes=limits.max_output_bytes)
    reader = wire.FrameReader(
        max_frame=max(limits.max_output_bytes, MAX_JSON_FRAME) + 1,
        max_total=limits.max_output_bytes + 4 * MAX_JSON_FRAME,
    )
    state = _State()
    for fd in (pipes.job_w, pipes.result_r, pipes.output_r):
        os.set_blocking(fd, False)
    poller = select.poll()
    poller.register(pipes.result_r, select.POLLIN)
    poller.register(pipes.output_r, select.POLLIN)
    poller.register(child.exit_fd, select.POLLIN)
    job_view = memoryview(job)
    hidden_pending = bool(hidden_job)  # phase 2 not yet handed to the writer
    if job_view:
        poller.register(pipes.job_w, select.POLLOUT)
    open_fds = {pipes.result_r, pipes.output_r}
    done_at: float | None = None

    def read_result() -> bool:
        if pipes.result_r not in open_fds:
            return False
        try:
            chunk = os.read(pipes.result_r, _CHUNK)
        except BlockingIOError:
            return False
        if not chunk:
            poller.unregister(pipes.result_r)
            open_fds.discard(pipes.result_r)
            return False
        try:
            for data in reader.feed(chunk):
                stream.feed(data)
        except wire.WireError as exc:
            # Only sheer volume is "too large"; a frame header claiming more than any
            # honest frame can hold is garbage.
            if reader.total > reader.max_total:
                stream.final = stream.final or "too_large"
            else:
                state.violation = str(exc)
        except ProtocolViolation as exc:
            state.violation = str(exc)
        return True

    def read_output() -> bool:
        if pipes.output_r not in open_fds:
            return False
        try:
            chunk = os.read(pipes.output_r, _CHUNK)
        except BlockingIOError:
            return False
        if not chunk:
            poller.unregister(pipes.output_r)
            open_fds.discard(pipes.output_r)
            return False
        room = max(limits.max_stdout_bytes - len(state.stdout), 0)
        state.stdout += chunk[:room]
        state.stdout_dropped += max(len(chunk) - room, 0)
        return True

    while state.status is None:
        now = time.monotonic()
        if state.violation or stream.final == "too_large":
            break
        if done_at is not None and now - done_at > _EXIT_GRACE_S:
            state.killed_after_done = True
            break
        if now >= deadline:
            state.timed_out = True
            break
        for fd, event in poller.poll(max(1, int((deadline - now) * 1000))):
            if fd == pipes.result_r:
                read_result()
            elif fd == pipes.output_r:
                read_output()
            elif fd == pipes.job_w:
                if event & (select.POLLERR | select.POLLHUP):
                    poller.unregister(fd)
                    job_view = job_view[len(job_view) :]
                    continue
                try:
                    job_view = job_view[os.write(pipes.job_w, job_view[:_CHUNK]) :]
                except BlockingIOError:
                    pass
                except OSError as exc:
                    if exc.errno != errno.EPIPE:
                        raise
                    job_view = job_view[len(job_view) :]
                if not job_view:
                    poller.unregister(fd)
                    if not hidden_pending:
                        with contextlib.suppress(OSError):
                            os.close(pipes.job_w)
                        pipes.job_w = -1
            elif fd == child.exit_fd:
                state.status = child.poll_status()
                if state.status is None:  # the status channel closed: the zygote died
                    kill_tree(child, cgroup)
                    raise SandboxFailure("the sandbox zygote died during the run")
        if hidden_pending and stream.visible_done and not job_view and not state.violation:
            # Every visible result is in and decoded: only now may the hidden inputs
            # enter the child (not even its pipe buffer has held them before).
            hidden_pending = False
            state.hidden_sent = True
            job_view = memoryview(hidden_job)
            poller.register(pipes.job_w, select.POLLOUT)
        if stream.final is not None and done_at is None:
            done_at = time.monotonic()

    kill_tree(child, cgroup)
    if state.status is None:
        state.status = child.wait_status(5.0)
    # Drain what the child wrote before it died. The tree is dead, so reads end in EOF;
    # EAGAIN means some escaped process still holds a pipe, and we stop there.
    drain_until = time.monotonic() + 1.0
    while read_result() and not state.violation and time.monotonic() < drain_until:
        pass
    while read_output() and time.monotonic() < drain_until:
        pass
    wall_ms = (time.monotonic() - start) * 1000
    return _outcome(stream, state, cgroup, limits), wall_ms


def _outcome(
    stream: ResultStream, state: _State, cgroup: RunCgroup | None, limits: RunLimits
) -> RunOutcome:
    stdout = bytes(state.stdout).decode("utf-8", errors="replace")
    if state.stdout_dropped:
        stdout += f"\n[output truncated: {state.stdout_dropped} more bytes not shown]\n"
    outcome = RunOutcome(kind="crashed", stdout=stdout, isolation=dict(stream.isolation or {}))
    status = state.status
    signaled = status is not None and os.WIFSIGNALED(status)
    sig = os.WTERMSIG(status) if status is not None and signaled else None
    code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None
    oom = cgroup is not None and cgroup.oom_killed()
    if stream.final == "too_large":
        outcome.kind = "output_too_large"
        outcome.detail = f"the function returned more than {limits.max_output_bytes} bytes"
    elif state.timed_out:
        outcome.kind = "timeout"
        outcome.detail = f"wall-clock limit of {limits.wall_time_s:g} s reached"
    elif stream.final == "memory" or code == _MEMORY_EXIT or (sig == signal.SIGKILL and oom):
        outcome.kind = "memory"
        outcome.detail = f"memory limit of {limits.memory_mb} MB reached"
    elif sig == signal.SIGXCPU:
        outcome.kind = "timeout"
        outcome.detail = f"CPU time limit of {limits.cpu_time_s} s reached"
    elif stream.final == "done" and (code == 0 or state.killed_after_done) and not state.violation:
        outcome.kind = "load_error" if stream.load_error is not None else "ok"
        outcome.load_error = stream.load_error
        # Only a complete, valid stream carries results: a partial or broken one may
        # hold frames the student forged.
        outcome.cases = stream.cases
        outcome.facts = stream.facts
    elif state.hidden_sent:
        # The child held hidden inputs: its exit code, signal or the text of a forged
        # frame could encode them, so none of that is reported.
        outcome.detail = "the process stopped while running the hidden cases"
    elif state.violation:
        outcome.detail = f"the run's result stream was invalid ({state.violation})"
    elif sig is not None:
        outcome.detail = f"the process was killed by signal {signal.Signals(sig).name}"
    elif code is not None:
        outcome.detail = f"the process exited with code {code} before returning all results"
    else:
        outcome.detail = "the process ended without a status"
    return outcome
