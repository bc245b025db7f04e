"""The baseline runner: a brand-new interpreter per submission (imports jax every time).

Same child code, isolation plan and supervision as the zygote runner; used by the
benchmark to show what the zygote saves.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from typing import Any

from grader.errors import SandboxFailure
from grader.sandbox.base import BaseRunner
from grader.sandbox.supervise import ChildHandle


class _FreshChild:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.pid = process.pid
        self.exit_fd = os.pidfd_open(process.pid)

    @property
    def reaped(self) -> bool:
        return self.process.returncode is not None

    def poll_status(self) -> int | None:
        return self._status(0.0)

    def wait_status(self, timeout_s: float) -> int | None:
        return self._status(timeout_s)

    def _status(self, timeout_s: float) -> int | None:
        try:
            self.process.wait(timeout=max(timeout_s, 0.001))
        except subprocess.TimeoutExpired:
            return None
        code = self.process.returncode
        # Popen gives -signal for signals; rebuild a wait status for the shared logic.
        return (-code) & 0x7F if code < 0 else (code & 0xFF) << 8

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.exit_fd)
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.wait(timeout=5)


class FreshProcessRunner(BaseRunner):
    """A new interpreter per submission (imports jax each time): the slow baseline."""

    runner_name = "fresh"

    def _spawn(self, plan: dict[str, Any], child_fds: tuple[int, int, int]) -> ChildHandle:
        job_r, result_w, output_w = child_fds
        command = [
            sys.executable,
            "-m",
            "grader.sandbox.child",
            "--plan",
            json.dumps(plan),
            "--config",
            json.dumps(self.jax_config),
            "--job-fd",
            str(job_r),
            "--result-fd",
            str(result_w),
        ]
        try:
            process = subprocess.Popen(
                command,
                pass_fds=(job_r, result_w),
                env=self.env,
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=output_w,
                stderr=output_w,
            )
        except OSError as exc:
            raise SandboxFailure(f"cannot start a sandbox process: {exc}") from exc
        return _FreshChild(process)
