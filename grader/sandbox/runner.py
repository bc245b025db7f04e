"""Sandbox runners: a fresh isolated process per submission.

:class:`ZygoteRunner` forks children from a warm, backend-free zygote (the fast path,
~5 ms of process overhead); :class:`FreshProcessRunner` starts a new interpreter per
submission (the benchmark baseline). Both run the same child code under the same
isolation plan and are supervised by the same trusted loop.

Channels: the worker creates every pipe. The child's ends travel to the zygote by
SCM_RIGHTS; the child reads its job from a pipe only the worker writes, so the zygote
never sees student source or inputs and one child's code never sits in the next one's
inherited heap.
"""

from __future__ import annotations

import array
import contextlib
import json
import logging
import os
import select
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from grader.config import GraderSettings
from grader.errors import SandboxFailure
from grader.sandbox.base import BaseRunner, sandbox_env
from grader.sandbox.fresh import FreshProcessRunner
from grader.sandbox.supervise import ChildHandle

__all__ = ["FreshProcessRunner", "ZygoteRunner", "sandbox_env"]

log = logging.getLogger(__name__)
ZYGOTE_START_TIMEOUT_S = 180.0


class _ZygoteChild:
    """A child forked by the zygote; its status arrives as JSON lines on a pipe."""

    def __init__(self, status_r: int, timeout_s: float) -> None:
        self.exit_fd = status_r
        self.reaped = False
        self._buffer = b""
        first = self._next_message(timeout_s)
        if first is None or "pid" not in first:
            os.close(status_r)
            raise SandboxFailure(f"the zygote did not start a child: {first}")
        self.pid = int(first["pid"])

    def _next_message(self, timeout_s: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.exit_fd], [], [], remaining)
            if not ready:
                return None
            try:
                chunk = os.read(self.exit_fd, 4096)
            except BlockingIOError:
                continue
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message = json.loads(line)
        return message if isinstance(message, dict) else None

    def poll_status(self) -> int | None:
        return self.wait_status(0.5)

    def wait_status(self, timeout_s: float) -> int | None:
        message = self._next_message(timeout_s)
        if message and "status" in message:
            self.reaped = True
            return int(message["status"])
        return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.exit_fd)


class ZygoteRunner(BaseRunner):
    """Forks each submission's child from a warm zygote process; thread-safe."""

    runner_name = "zygote"

    def __init__(self, settings: GraderSettings) -> None:
        super().__init__(settings)
        self._lock = threading.Lock()
        self._zygote: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self.zygote_info: dict[str, Any] = {}
        self._start_zygote()

    def _start_zygote(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = dict(self.jax_config)
        command = [
            sys.executable,
            "-m",
            "grader.sandbox.zygote",
            "--control-fd",
            str(theirs.fileno()),
            "--config",
            json.dumps(config),
        ]
        try:
            process = subprocess.Popen(
                command,
                pass_fds=(theirs.fileno(),),
                env=self.env,
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            raise SandboxFailure(f"cannot start the zygote: {exc}") from exc
        finally:
            theirs.close()
        ours.settimeout(ZYGOTE_START_TIMEOUT_S)
        try:
            hello = json.loads(ours.recv(1 << 16) or b"{}")
        except (OSError, ValueError):
            hello = {}
        if not hello.get("ready"):
            process.kill()
            process.wait()
            ours.close()
            raise SandboxFailure(f"the zygote failed to start: {hello.get('error', 'no reply')}")
        ours.settimeout(None)
        self._zygote, self._control = process, ours
        self.zygote_info = {"pid": process.pid, "missing_modules": hello.get("missing", [])}
        log.info("sandbox zygote %d ready", process.pid)

    def _parent_pid(self) -> int:
        assert self._zygote is not None
        return self._zygote.pid

    def _spawn(self, plan: dict[str, Any], child_fds: tuple[int, int, int]) -> ChildHandle:
        for attempt in range(2):
            with self._lock:
                if self._zygote is None or self._zygote.poll() is not None:
                    if self._zygote is not None:
                        log.error("sandbox zygote died (%s); restarting", self._zygote.returncode)
                    self._stop_zygote()
                    self._start_zygote()
                plan = dict(plan, parent_pid=self._parent_pid())
                control = self._control
            assert control is not None
            status_r, status_w = os.pipe2(os.O_CLOEXEC)
            try:
                fds = array.array("i", [*child_fds, status_w])
                message = json.dumps({"plan": plan}).encode()
                control.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
            except OSError as exc:
                os.close(status_r)
                log.error("sending to the zygote failed: %s", exc)
                with self._lock:
                    self._stop_zygote()
                if attempt:
                    raise SandboxFailure(f"the zygote is unreachable: {exc}") from exc
                continue
            finally:
                os.close(status_w)
            try:
                return _ZygoteChild(status_r, timeout_s=30.0)
            except SandboxFailure:
                if attempt or not self._zygote_died():
                    raise
                log.error("the zygote died before forking; restarting")
        raise SandboxFailure("the zygote is unreachable")

    def _zygote_died(self) -> bool:
        with self._lock:
            if self._zygote is None:
                return True
            try:
                self._zygote.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                return False
            return True

    def _stop_zygote(self) -> None:
        if self._control is not None:
            with contextlib.suppress(OSError):
                self._control.close()
            self._control = None
        if self._zygote is not None:
            try:
                self._zygote.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._zygote.kill()
                self._zygote.wait()
            self._zygote = None

    def close(self) -> None:
        with self._lock:
            self._stop_zygote()
        super().close()

    def isolation_report(self) -> dict[str, Any]:
        return {**self.layers, "runner": self.runner_name, "zygote": dict(self.zygote_info)}
