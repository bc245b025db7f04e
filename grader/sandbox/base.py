"""Per-run setup shared by the sandbox runners: environment allowlist, scratch dirs,
cgroups, uids, the isolation plans, the job bytes, and the supervised run itself.

One run is two sandboxed processes with the same isolation layers, each with its own
scratch dir, cgroups and uid: the **runner** (student code; gets signatures only) and the
**executor** (no student code; gets the artifacts and every case's inputs; the only one
that may read the compilation cache)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from grader.artifact import platform_name
from grader.config import REPO_ROOT, GraderSettings
from grader.errors import IsolationUnavailable, SandboxFailure
from grader.sandbox import codec, doctor, isolation
from grader.sandbox.cgroups import CgroupLayout, RunCgroup
from grader.sandbox.protocol import CaseOutcome, RawStudentError, RunLimits, RunOutcome, RunRequest
from grader.sandbox.results import ArtifactMessage, ExecutorStream, RunnerStream
from grader.sandbox.supervise import ChildHandle, Pipes, Sandboxed, supervise
from grader.sandbox.uids import UidPool
from grader.wire import frame

ROLES = ("runner", "executor")
PROGRESS_LAST_S = 6.0  # how long before the wall limit the runner starts sampling
UID_WAIT_S = 30.0

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


def signatures(
    request: RunRequest,
) -> tuple[list[dict[str, Any]], dict[str, int], dict[str, dict[str, Any]]]:
    """The distinct signatures of the request's cases (static values + shapes/dtypes),
    which case uses which, and every case's dynamic inputs (the executor's job)."""
    sigs: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    case_sig: dict[str, int] = {}
    dynamic_inputs: dict[str, dict[str, Any]] = {}
    for name, args in request.all_cases:
        static, dynamic = codec.split_static(args, request.static_argnames)
        sig: dict[str, Any] = {"static": static, "dynamic": codec.signature(dynamic)}
        if name in request.transforms:
            sig["transform"] = request.transforms[name]
        key = json.dumps(sig, sort_keys=True)
        if key not in index:
            index[key] = len(sigs)
            sigs.append(sig)
        case_sig[name] = index[key]
        dynamic_inputs[name] = dynamic
    return sigs, case_sig, dynamic_inputs


class BaseRunner:
    """Per-run setup shared by both runners: scratch dirs, cgroups, uids, pipes, plans."""

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
        lock_dir = self.sandbox_root / "uids"
        lock_dir.mkdir(mode=0o700, exist_ok=True)
        self.uids = UidPool(settings.sandbox_uid_base, settings.sandbox_uid_count, lock_dir)

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

    def run(
        self, request: RunRequest, limits: RunLimits, *, cancel: threading.Event | None = None
    ) -> RunOutcome:
        """Run one request in a fresh runner and executor; never raises for student faults.
        Raises Cancelled (both processes killed, nothing judged) once ``cancel`` is set."""
        self._check_required()
        started = time.monotonic()
        sigs, case_sig, dynamic_inputs = signatures(request)
        platform = platform_name(request.backend)
        with ExitStack() as stack:
            executor_stream = ExecutorStream(
                case_sigs=case_sig, max_output_bytes=limits.max_output_bytes
            )
            executor = self._start(
                stack,
                "executor",
                limits,
                executor_stream,
                codec.job_bytes(
                    {
                        "platform": platform,
                        "rtol": request.rtol,
                        "atol": request.atol,
                        "signatures": len(sigs),
                        "cases": [[name, case_sig[name]] for name, _ in request.all_cases],
                    },
                    [dynamic_inputs[name] for name, _ in request.all_cases],
                ),
            )

            def relay(item: ArtifactMessage) -> None:
                if item.data:
                    head = json.dumps({"t": "artifact", "sig": item.sig}).encode()
                    executor.send(frame(b"J" + head) + frame(b"B" + item.data))
                    item.data = b""  # relayed; the worker keeps no copy
                if item.sig == len(sigs) - 1:
                    executor.send(frame(b"J" + b'{"t": "end"}'), last=True)

            debug_prints = not request.hidden_cases and "debug." in request.source
            runner_stream = RunnerStream(
                signatures=len(sigs), max_output_bytes=limits.max_output_bytes, on_artifact=relay
            )
            runner = self._start(
                stack,
                "runner",
                limits,
                runner_stream,
                codec.job_bytes(
                    {
                        "source": request.source,
                        "entry_point": request.entry_point,
                        "platform": platform,
                        "signatures": sigs,
                        "max_output_bytes": limits.max_output_bytes,
                        "static_argnames": list(request.static_argnames),
                        "debug_prints": debug_prints,
                        # The runner samples its own stack (for a timeout's wording) only
                        # in the last seconds before the limit: see ProgressWatchdog.
                        "progress_after_s": max(0.0, limits.wall_time_s - PROGRESS_LAST_S),
                    },
                    # Visible inputs, which the student is shown anyway, only for the
                    # output of jax.debug in run mode; never a hidden value.
                    [[name, args] for name, args in request.cases] if debug_prints else None,
                ),
            )
            spawn_ms = (time.monotonic() - started) * 1000
            deadline = started + limits.wall_time_s
            procs = [runner, executor]
            timed_out = supervise(procs, deadline, until_done=[runner], cancel=cancel)
            runner_ms = (time.monotonic() - started) * 1000
            if not timed_out and runner.finished and runner_stream.load_error is None:
                timed_out = supervise(procs, deadline, until_done=[runner, executor], cancel=cancel)
            # Which process failed first, before the kills below make both look failed.
            culprit = next((p for p in (executor, runner) if p.failed), None)
            wall_ms = (time.monotonic() - started) * 1000
            for proc in procs:
                proc.kill()
            for proc in procs:
                if proc.status is None:
                    proc.status = proc.child.wait_status(5.0)
                proc.drain()
            outcome = self._outcome(request, case_sig, runner, executor, timed_out, culprit)
            outcome.timings.update(
                spawn_ms=round(spawn_ms, 2),
                runner_ms=round(runner_ms, 2),
                wall_ms=round(wall_ms, 2),
            )
            for proc in procs:
                if proc.cgroup is not None and (peak := proc.cgroup.peak_memory_mb()) is not None:
                    outcome.timings[f"{proc.name}_peak_memory_mb"] = round(peak, 1)
            outcome.isolation = {
                "sandbox": self.runner_name,
                "runner": dict(runner_stream.isolation or {}),
                "executor": dict(executor_stream.isolation or {}),
            }
            if self.settings.require_full_isolation and outcome.kind != "crashed":
                # The records were written before any student byte was read: honest.
                for role in ROLES:
                    missing = doctor.missing_layers(outcome.isolation[role])
                    if missing:
                        raise IsolationUnavailable(
                            f"the {role} lacked required isolation layers: " + ", ".join(missing)
                        )
            return outcome
        raise AssertionError("unreachable")  # pragma: no cover - ExitStack swallows nothing

    def _start(
        self,
        stack: ExitStack,
        role: str,
        limits: RunLimits,
        stream: RunnerStream | ExecutorStream,
        job: bytes,
    ) -> Sandboxed:
        """Lease a uid, make the scratch dir, cgroups and pipes, spawn the process."""
        try:
            lease = self.uids.acquire(UID_WAIT_S)
        except TimeoutError as exc:
            raise SandboxFailure("no sandbox uid became free") from exc
        stack.callback(lease.release)  # runs last: after the tree below is dead
        scratch = Path(tempfile.mkdtemp(prefix=f"{role}-", dir=self.sandbox_root))
        # rmtree never follows symlinks planted in the scratch dir (fd-based walk).
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        cgroup: RunCgroup | None = None
        if self.cgroups.memory or self.cgroups.pids:
            cgroup = self.cgroups.create(
                f"{role}-{uuid.uuid4().hex}",
                memory_mb=limits.memory_mb,
                max_processes=limits.max_processes,
            )
            stack.callback(cgroup.remove)
            stack.callback(cgroup.kill_all)
        plan = self._plan(scratch, cgroup, limits, role, lease.uid)
        job_r, job_w = os.pipe2(os.O_CLOEXEC)
        result_r, result_w = os.pipe2(os.O_CLOEXEC)
        output_r, output_w = os.pipe2(os.O_CLOEXEC)
        pipes = Pipes(job_w=job_w, result_r=result_r, output_r=output_r)
        stack.callback(pipes.close)
        try:
            child = self._spawn(plan, (job_r, result_w, output_w))
        finally:
            for fd in (job_r, result_w, output_w):
                os.close(fd)
        stack.callback(child.close)
        proc = Sandboxed(role, child, pipes, cgroup, stream, limits)
        stack.callback(proc.kill)
        proc.send(job, last=role == "runner")
        return proc

    def _outcome(
        self,
        request: RunRequest,
        case_sig: dict[str, int],
        runner: Sandboxed,
        executor: Sandboxed,
        timed_out: bool,
        culprit: Sandboxed | None = None,
    ) -> RunOutcome:
        rs = runner.stream
        es = executor.stream
        assert isinstance(rs, RunnerStream) and isinstance(es, ExecutorStream)
        outcome = RunOutcome(kind="ok", stdout=runner.stdout_text())
        if not runner.finished and culprit is not executor:
            outcome.kind, outcome.detail = runner.failure(timed_out)  # type: ignore[assignment]
            outcome.stage = "runner"
            if outcome.kind == "timeout" and rs.last_progress is not None:
                # The runner's own word: it only words the timeout message.
                outcome.hint_where = rs.last_progress.where
                outcome.hint_line = rs.last_progress.line
            return outcome
        if rs.load_error is not None:
            outcome.kind, outcome.load_error = "load_error", rs.load_error
            return outcome
        if not executor.finished:
            kind, detail = executor.failure(timed_out)
            outcome.kind, outcome.stage = kind, "executor"  # type: ignore[assignment]
            # The executor held the hidden inputs: its exit code, signal or the text of a
            # malformed message could encode them, so none of that is reported then.
            outcome.detail = detail if not request.hidden_cases else ""
            outcome.artifact_sizes = tuple(a.size for a in rs.artifacts if a.size)
            return outcome
        artifacts = {a.sig: a for a in rs.artifacts}
        for name, _ in request.all_cases:
            sig = case_sig[name]
            made = artifacts[sig]
            if made.error is not None:
                case = CaseOutcome(name, error=made.error)
            elif sig in es.refused:
                refusal = RawStudentError(type="ProgramRefused", message=es.refused[sig])
                case = CaseOutcome(name, error=refusal)
            else:
                case = es.cases.get(name, CaseOutcome(name))
            outcome.cases.append(
                CaseOutcome(
                    name=case.name,
                    output=case.output,
                    error=case.error,
                    time_ms=case.time_ms,
                    facts=case.facts,
                    loop_matters=case.loop_matters,
                    vmap_calls=made.vmap_calls,
                )
            )
        return outcome

    def _plan(
        self,
        scratch: Path,
        cgroup: RunCgroup | None,
        limits: RunLimits,
        role: str,
        uid: int,
    ) -> dict[str, Any]:
        s = self.settings
        cache = self.jax_config["compilation_cache_dir"]
        # Only the executor may read the compilation cache: it holds compiled reference
        # programs, and the runner runs student code.
        readable = [cache] if cache and role == "executor" else []
        plan = isolation.build_plan(
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
            read_only=readable,
            # Only the executor owns the device: student code never touches a GPU driver.
            gpu=s.backend == "gpu" and role == "executor",
            parent_pid=self._parent_pid(),
            uid=uid,
            gid=uid,
        )
        plan["role"] = role
        return plan

    def _parent_pid(self) -> int:
        return os.getpid()
