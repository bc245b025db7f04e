"""Per-run setup shared by the sandbox runners: environment allowlist, scratch dir,
cgroups, the isolation plan, the job bytes, and the supervised run itself."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from grader.config import REPO_ROOT, GraderSettings
from grader.errors import IsolationUnavailable, SandboxFailure
from grader.sandbox import doctor, isolation
from grader.sandbox.cgroups import CgroupLayout, RunCgroup
from grader.sandbox.child import encode_job
from grader.sandbox.protocol import RunLimits, RunOutcome, RunRequest
from grader.sandbox.supervise import ChildHandle, Pipes, kill_tree, supervise
from grader.wire import frame

# The only variables a sandboxed process inherits from the worker's environment.
ENV_ALLOWLIST = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "LD_LIBRARY_PATH",
    "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES",
)


def sandbox_env(settings: GraderSettings, home: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in ENV_ALLOWLIST if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update(
        HOME=str(home),
        PYTHONPATH=str(REPO_ROOT),
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        JAX_PLATFORMS="cuda" if settings.backend == "gpu" else "cpu",
        XLA_PYTHON_CLIENT_PREALLOCATE="false",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    if settings.xla_fast_compile:
        env["XLA_FLAGS"] = "--xla_backend_optimization_level=0"
    return env


def _jax_config(settings: GraderSettings) -> dict[str, Any]:
    if not settings.compilation_cache:
        return {"compilation_cache_dir": None}
    # Create it now (root-owned, world-readable): the zygote configures JAX once at start,
    # so a runner created before the first trusted write must still point at it.
    cache = settings.compilation_cache_dir
    cache.mkdir(mode=0o755, parents=True, exist_ok=True)
    return {"compilation_cache_dir": str(cache)}


def _prepare_sandbox_root(root: Path) -> Path:
    """A root-owned directory nobody may list or write, but children may traverse."""
    root.mkdir(mode=0o711, parents=True, exist_ok=True)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise SandboxFailure(f"sandbox directory {root} is not a directory owned by us")
    os.chmod(root, 0o711)  # noqa: S103 - traverse only: children reach their own scratch dir
    return root


class BaseRunner:
    """Per-run setup shared by both runners: scratch dir, cgroups, pipes, plan."""

    runner_name = "base"

    def __init__(self, settings: GraderSettings) -> None:
        self.settings = settings
        root = settings.sandbox_root.resolve()
        for secret in (settings.data_dir, settings.problems_dir):
            if root.is_relative_to(secret.resolve()):
                raise SandboxFailure(f"the sandbox directory {root} must not be inside {secret}")
        self.sandbox_root = _prepare_sandbox_root(root)
        self.cgroups = CgroupLayout.detect()
        self.layers = doctor.detect_isolation(settings, cgroups=self.cgroups)
        self.env = sandbox_env(settings, self.sandbox_root)
        self.jax_config = _jax_config(settings)

    def isolation_report(self) -> dict[str, Any]:
        return dict(self.layers)

    def _check_required(self) -> None:
        if not self.settings.require_full_isolation:
            return
        missing = doctor.missing_layers(self.layers)
        if missing:
            raise IsolationUnavailable(
                "full isolation is required but unavailable: " + ", ".join(missing)
            )

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.cgroups.release()

    def _spawn(self, plan: dict[str, Any], child_fds: tuple[int, int, int]) -> ChildHandle:
        raise NotImplementedError

    def run(self, request: RunRequest, limits: RunLimits) -> RunOutcome:
        """Run one request in a fresh isolated child; never raises for student faults."""
        self._check_required()
        started = time.monotonic()
        scratch = Path(tempfile.mkdtemp(prefix="run-", dir=self.sandbox_root))
        cgroup: RunCgroup | None = None
        fds: list[int] = []
        pipes: Pipes | None = None
        child: ChildHandle | None = None
        try:
            if self.cgroups.memory or self.cgroups.pids:
                cgroup = self.cgroups.create(
                    f"run-{uuid.uuid4().hex}",
                    memory_mb=limits.memory_mb,
                    max_processes=limits.max_processes,
                )
            plan = self._plan(scratch, cgroup, limits)
            job_r, job_w = os.pipe2(os.O_CLOEXEC)
            result_r, result_w = os.pipe2(os.O_CLOEXEC)
            output_r, output_w = os.pipe2(os.O_CLOEXEC)
            fds = [job_r, result_w, output_w]
            pipes = Pipes(job_w=job_w, result_r=result_r, output_r=output_r)
            job, hidden_job = self._job_bytes(request, limits)
            child = self._spawn(plan, (job_r, result_w, output_w))
            spawn_ms = (time.monotonic() - started) * 1000
            for fd in fds:
                os.close(fd)
            fds = []
            outcome, wall_ms = supervise(
                child, pipes, job, request, limits, cgroup, hidden_job=hidden_job
            )
            outcome.timings.update(spawn_ms=round(spawn_ms, 2), wall_ms=round(wall_ms, 2))
            if cgroup is not None and (peak := cgroup.peak_memory_mb()) is not None:
                outcome.timings["peak_memory_mb"] = round(peak, 1)
            outcome.isolation = {**outcome.isolation, "runner": self.runner_name}
            if self.settings.require_full_isolation and outcome.kind != "crashed":
                # The record was written before any student code ran, so it is honest.
                missing = doctor.missing_layers(outcome.isolation)
                if missing:
                    raise IsolationUnavailable(
                        "a run lacked required isolation layers: " + ", ".join(missing)
                    )
            return outcome
        finally:
            if child is not None:
                kill_tree(child, cgroup)
                child.close()
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            if pipes is not None:
                pipes.close()
            if cgroup is not None:
                cgroup.kill_all()
                cgroup.remove()
            # rmtree never follows symlinks planted in the scratch dir (fd-based walk).
            shutil.rmtree(scratch, ignore_errors=True)

    def _plan(self, scratch: Path, cgroup: RunCgroup | None, limits: RunLimits) -> dict[str, Any]:
        s = self.settings
        cache = self.jax_config["compilation_cache_dir"]
        return isolation.build_plan(
            scratch=str(scratch),
            scratch_mb=4 * limits.max_file_mb,
            cgroups=cgroup.procs_files if cgroup else {},
            rlimits={
                "cpu": limits.cpu_time_s,
                "data": limits.data_mb * 1024 * 1024,
                "fsize": limits.max_file_mb * 1024 * 1024,
                "nofile": limits.max_open_files,
                "nproc": limits.max_processes,
                "core": 0,
            },
            forbidden=[str(s.problems_dir), str(s.data_dir), str(self.sandbox_root)],
            read_only=[cache] if cache else [],
            gpu=s.backend == "gpu",
            parent_pid=self._parent_pid(),
        )

    def _parent_pid(self) -> int:
        return os.getpid()

    @staticmethod
    def _job_bytes(request: RunRequest, limits: RunLimits) -> tuple[bytes, bytes]:
        """The job's two phases: everything but the hidden cases' inputs, and those (empty
        when there are none). The second is written only after phase 1's results are in."""
        meta = {
            "source": request.source,
            "entry_point": request.entry_point,
            "static_argnames": list(request.static_argnames),
            "max_output_bytes": limits.max_output_bytes,
            "hidden_cases": len(request.hidden_cases),
        }
        inputs = {
            "cases": [[name, args] for name, args in request.cases],
            "probes": [[name, args] for name, args in request.probes],
        }
        visible = b"".join(frame(part) for part in encode_job(meta, inputs))
        if not request.hidden_cases:
            return visible, b""
        hidden = {"cases": [[name, args] for name, args in request.hidden_cases]}
        return visible, b"".join(frame(part) for part in encode_job({}, hidden))
