"""Code that runs inside a sandboxed process: isolate, read the job, do the role's work.

Two roles, both forked from the zygote (or started as fresh interpreters by the baseline
runner), both isolated by the same plan:

- the **runner** imports and traces the student's code and exports the jitted entry point
  for each case signature (:mod:`grader.exporting`). Its job holds the source and the
  signatures: shapes, dtypes and static values, never an input value.
- the **executor** (:mod:`grader.sandbox.executor`) runs no student Python: it checks,
  compiles and runs the artifacts on the cases' inputs.

Each gets the job pipe (read), the result pipe (write), and stdout/stderr pointing at a
capped output pipe, all created by the worker.

Runner result messages, each one length-prefixed frame whose first byte is its kind
(``J`` a JSON object, ``B`` raw artifact bytes)::

    J {"t": "isolation", ...}                       before the job is read (student-free)
    J {"t": "load_error", "error"}                  or, for each signature in order:
    J {"t": "artifact", "sig", "error", "vmap_calls"} [B serialized jax.export artifact]
    J {"t": "memory"} | J {"t": "done"}

and, interleaved anywhere after the isolation report and before the final message (never
between an artifact's announcement and its bytes), a few progress reports from the
watchdog thread (:class:`ProgressWatchdog`), the runner's guess at what its main thread
is busy with, for the wording of a timeout only::

    J {"t": "progress", "where": "student"|"tracing"|"lowering"|"other", "line": int|null}

The worker enforces this order; anything else is a crash.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import linecache
import os
import sys
import threading
import time
import traceback
import types
from collections import Counter
from typing import Any

from grader import execution, exporting, wire
from grader.sandbox import codec, isolation

FILENAME = "submission.py"
MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000
EXIT_PROTOCOL = 71
# A MemoryError that escaped everything: the worker reads it as the memory verdict.
EXIT_MEMORY = 72


# The watchdog's cadence: a sample of the main thread's stack every PROGRESS_SAMPLE_S, a
# report (only when it changed) of the most common place in each PROGRESS_WINDOW samples,
# at most MAX_PROGRESS reports in all. RunnerStream refuses more than MAX_PROGRESS.
PROGRESS_SAMPLE_S = 0.1
PROGRESS_WINDOW = 5
MAX_PROGRESS = 64
MAX_STACK_WALK = 2000
MAX_LINE = 1 << 20  # as RunnerStream accepts
FINAL_MESSAGES = frozenset({"done", "memory", "too_large"})
# Packages whose frames above the student's innermost one mean JAX is doing the work.
JAX_PACKAGES = ("jax", "jaxlib", "flax", "optax", "chex", "orbax", "ml_dtypes")

# Every frame is written whole under this lock, so the watchdog thread never splits the
# main thread's frames; held across an artifact's announcement and its bytes (reentrant).
_SEND_LOCK = threading.RLock()
# Set (under the lock) once a final message was written: the worker refuses anything after.
_CHANNEL = {"closed": False}


def send_json(fd: int, message: dict[str, Any]) -> None:
    data = b"J" + json.dumps(message, allow_nan=False).encode()
    with _SEND_LOCK:
        if message.get("t") in FINAL_MESSAGES:
            _CHANNEL["closed"] = True
        wire.write_frame(fd, data)


def send_bytes(fd: int, payload: bytes) -> None:
    with _SEND_LOCK:
        wire.write_frame(fd, b"B" + payload)


# ---------------------------------------------------------------------------- progress


def _package_dirs(names: tuple[str, ...]) -> tuple[str, ...]:
    """The directories of the already-imported packages among ``names`` (imports none)."""
    dirs = []
    for name in names:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None) if module is not None else None
        if isinstance(path, str):
            dirs.append(os.path.dirname(path) + os.sep)
    return tuple(dirs)


def _module_file(name: str) -> str | None:
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None) if module is not None else None
    return path if isinstance(path, str) else None


class ProgressWatchdog(threading.Thread):
    """Samples the main thread's stack and reports, now and then, where it is busy:

    - ``student``: in the student's own Python (the innermost frame of the student's file
      has no JAX frame above it): a loop of theirs, perhaps one that never ends;
    - ``tracing``: JAX is at work above the student's frame while a function is being
      traced: each operation is recorded, which a long Python loop repeats per step;
    - ``lowering``: exporting, with no student frame on the stack: JAX is turning the
      traced program into StableHLO (slow when the program is huge);
    - ``other``: anything else (the runner's own work, JAX running operations eagerly).

    The line is the innermost student frame's, when there is one. All of it is the word of
    a process that runs student code: it only picks the wording of a timeout message.
    """

    def __init__(self, fd: int, target: int, after_s: float = 0.0) -> None:
        super().__init__(name="jaxdojo-progress", daemon=True)
        self.fd = fd
        self.after_s = after_s
        self.target = target  # the thread id of the main (student-running) thread
        self.jax_dirs = _package_dirs(JAX_PACKAGES)
        self.tracing_file = _module_file("jax._src.interpreters.partial_eval")
        self.exporting_file = _module_file("grader.exporting")
        self.sent = 0

    def sample(self) -> tuple[str, int | None]:
        frame = sys._current_frames().get(self.target)
        student_line: int | None = None
        found_student = jax_above = tracing = in_export = in_jax = False
        depth = 0
        while frame is not None and depth < MAX_STACK_WALK:
            name = frame.f_code.co_filename
            if name == FILENAME:
                if not found_student:
                    found_student = True
                    student_line = frame.f_lineno
            elif name.startswith(self.jax_dirs):
                in_jax = True
                if not found_student:
                    jax_above = True
                if name == self.tracing_file:
                    tracing = True
            elif name == self.exporting_file:
                in_export = True
            frame = frame.f_back
            depth += 1
        del frame
        if found_student:
            if not jax_above:
                return "student", student_line
            return ("tracing" if tracing else "other"), student_line
        return ("lowering" if in_export and in_jax else "other"), None

    def run(self) -> None:
        with contextlib.suppress(BaseException):  # advice only: the run goes on without it
            self._watch()

    def _watch(self) -> None:
        # Reading another thread's frames can crash CPython 3.11 (cpython#111363): only a
        # run still building near its time limit is sampled, and an ordinary one, which
        # is done long before, never is.
        begin = time.monotonic() + self.after_s
        while time.monotonic() < begin:
            if _CHANNEL["closed"]:
                return
            time.sleep(min(0.25, max(0.0, begin - time.monotonic())))
        window: list[tuple[str, int | None]] = []
        last: tuple[str, int | None] | None = None
        while self.sent < MAX_PROGRESS and not _CHANNEL["closed"]:
            time.sleep(PROGRESS_SAMPLE_S)
            window.append(self.sample())
            if len(window) < PROGRESS_WINDOW:
                continue
            report = _dominant(window)
            window.clear()
            if report != last and not self._send(report):
                return
            last = report

    def _send(self, report: tuple[str, int | None]) -> bool:
        where, line = report
        if not (type(line) is int and 1 <= line <= MAX_LINE):
            line = None
        message = {"t": "progress", "where": where, "line": line}
        data = b"J" + json.dumps(message, allow_nan=False).encode()
        with _SEND_LOCK:
            if _CHANNEL["closed"]:
                return False
            wire.write_frame(self.fd, data)
            self.sent += 1
        return True


def _dominant(window: list[tuple[str, int | None]]) -> tuple[str, int | None]:
    """The most common place in a window, and its most common line (the smaller on a tie)."""
    where = Counter(w for w, _ in window).most_common(1)[0][0]
    lines = Counter(line for w, line in window if w == where)
    line = min(lines, key=lambda n: (-lines[n], n if n is not None else 0))
    return where, line


def start_watchdog(fd: int, after_s: float = 0.0) -> ProgressWatchdog | None:
    """Start reporting progress on ``fd`` about the calling thread, from ``after_s`` on;
    None if no thread could be started (the run goes on without it)."""
    _CHANNEL["closed"] = False
    watchdog = ProgressWatchdog(fd, threading.get_ident(), after_s)
    try:
        watchdog.start()
    except RuntimeError:  # the process limit leaves no room for a thread
        return None
    return watchdog


# ---------------------------------------------------------------------------- errors


def _student_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = [f for f in traceback.extract_tb(current.__traceback__) if f.filename == FILENAME]
        if frames:
            return frames
        current = current.__cause__ or current.__context__
    return []


def describe_error(exc: BaseException) -> dict[str, Any]:
    """Type, message, the student's line number and only the student's frames."""
    if isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        text = traceback.format_exception_only(type(exc), exc)
        return {
            "type": type(exc).__name__,
            "message": str(exc.msg)[:MAX_MESSAGE],
            "lineno": exc.lineno,
            "traceback": "".join(text)[:MAX_TRACEBACK],
        }
    frames = _student_frames(exc)
    try:
        message = str(exc)
    except Exception:  # a student exception whose __str__ raises
        message = "<unprintable exception>"
    lines = "".join(traceback.format_list(frames)) if frames else ""
    return {
        "type": type(exc).__name__,
        "message": message[:MAX_MESSAGE],
        "lineno": frames[-1].lineno if frames else None,
        "traceback": lines[-MAX_TRACEBACK:],
    }


# ---------------------------------------------------------------------------- runner


def _install_vmap_counter() -> list[int]:
    """Count applications of jax.vmap-transformed functions (advice only: the runner's
    word can add advice, never pass a check)."""
    import jax

    counter = [0]
    real_vmap = jax.vmap

    def counting_vmap(fun: Any, *args: Any, **kwargs: Any) -> Any:
        mapped = real_vmap(fun, *args, **kwargs)

        @functools.wraps(mapped)
        def call(*a: Any, **k: Any) -> Any:
            counter[0] += 1
            return mapped(*a, **k)

        return call

    jax.vmap = counting_vmap
    return counter


def _load(source: str, entry_point: str) -> Any:
    code = compile(source, FILENAME, "exec", dont_inherit=True)
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    module = types.ModuleType("submission")
    module.__file__ = FILENAME
    sys.modules["submission"] = module
    exec(code, module.__dict__)  # noqa: S102 - this is the sandbox
    fn = module.__dict__.get(entry_point)
    if not callable(fn):
        defined = sorted(
            name
            for name, value in module.__dict__.items()
            if isinstance(value, types.FunctionType) and not name.startswith("_")
        )
        listing = ", ".join(defined) if defined else "no functions"
        raise LookupError(
            f"expected a function named `{entry_point}` in your code; it defines {listing}"
        )
    return fn


def _show_debug_prints(fn: Any, cases: list[Any], static_argnames: list[str]) -> None:
    """Run mode only: call the function on the visible inputs (which the student is
    shown anyway) with ``jax.debug.print`` working, for its output. Nothing computed here
    is judged; the artifacts were already sent."""
    print("--- jax.debug output on the visible examples ---", flush=True)
    for name, args in cases:
        print(f"[{name}]", flush=True)
        try:
            execution.call_entry(fn, args, tuple(static_argnames))
        except Exception as exc:  # shown as the case's error by the executor already
            print(f"(raised {type(exc).__name__})", flush=True)


def run_export_job(result_fd: int, meta: dict[str, Any], inputs: Any = None) -> None:
    """Load the source, then export the entry point for every signature, in order; in
    run mode, if the code uses ``jax.debug``, run it on the visible inputs for its prints."""
    platform = str(meta["platform"])
    max_output = int(meta["max_output_bytes"])
    show_inputs = inputs if meta.get("debug_prints") else None
    counter = _install_vmap_counter()
    after = meta.get("progress_after_s", 0.0)
    start_watchdog(result_fd, float(after) if isinstance(after, int | float) else 0.0)
    with exporting.callbacks_silenced():
        try:
            fn = _load(meta["source"], meta["entry_point"])
        except MemoryError:
            send_json(result_fd, {"t": "memory"})
            return
        except BaseException as exc:
            error = describe_error(exc)
            if isinstance(exc, LookupError) and error["lineno"] is None:
                error["type"] = "MissingEntryPoint"
            send_json(result_fd, {"t": "load_error", "error": error})
            send_json(result_fd, {"t": "done"})
            return
        sent = 0
        for index, sig in enumerate(meta["signatures"]):
            counter[0] = 0
            message: dict[str, Any] = {"t": "artifact", "sig": index, "error": None}
            artifact = b""
            try:
                dynamic = codec.decode_signature(sig["dynamic"])
                transform = sig.get("transform")
                artifact = exporting.export_entry(
                    fn, dict(sig["static"]), dynamic, platform, transform
                )
            except MemoryError:
                send_json(result_fd, {"t": "memory"})
                return
            except BaseException as exc:
                message["error"] = describe_error(exc)
            message["vmap_calls"] = counter[0]
            message["bytes"] = len(artifact)
            sent += len(artifact)
            if sent > max_output:
                send_json(result_fd, {"t": "too_large", "bytes": sent})
                return
            with _SEND_LOCK:  # no progress report between the announcement and the bytes
                send_json(result_fd, message)
                if artifact:
                    send_bytes(result_fd, artifact)
    if show_inputs:
        _show_debug_prints(fn, show_inputs, meta["static_argnames"])
    sys.stdout.flush()
    sys.stderr.flush()
    send_json(result_fd, {"t": "done"})


def configure_jax(settings: dict[str, Any]) -> None:
    """Called in the zygote (or fresh child) before any backend exists."""
    import jax

    cache_dir = settings.get("compilation_cache_dir")
    if cache_dir:
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        # Children may read entries, never write them (only trusted runs write).
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1e9)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 1 << 62)
        with contextlib.suppress(Exception):
            jax.config.update("jax_persistent_cache_enable_xla_caches", "none")


def child_main(plan: dict[str, Any], job_fd: int, result_fd: int) -> None:
    """Isolate, then do the plan's role. Never returns: always ``os._exit``."""
    code = 0
    try:
        report = isolation.apply(plan)
        send_json(result_fd, {"t": "isolation", **report})
        if plan.get("role") == "executor":
            from grader.sandbox import executor

            executor.run_executor(job_fd, result_fd)
        else:
            import jax

            # The runner exports for the executor's platform but runs on the CPU itself:
            # student code never touches a GPU driver. Only the executor may read the
            # compilation cache (and only trusted runs write it).
            jax.config.update("jax_platforms", "cpu")
            jax.config.update("jax_compilation_cache_dir", None)
            meta, inputs = codec.decode_job(job_fd)
            os.close(job_fd)
            run_export_job(result_fd, meta, inputs)
    except MemoryError:
        code = EXIT_MEMORY
    except BaseException:  # a broken job pipe or a student who broke the runner
        code = EXIT_PROTOCOL
        if plan.get("role") == "executor":  # no student code there: a bug worth logging
            traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of a fresh-interpreter child (the baseline runner, no zygote)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--job-fd", type=int, required=True)
    parser.add_argument("--result-fd", type=int, required=True)
    args = parser.parse_args(argv)
    from grader.sandbox import executor, zygote  # noqa: F401 - unreadable after the drop

    zygote.preload()
    configure_jax(json.loads(args.config))
    child_main(json.loads(args.plan), args.job_fd, args.result_fd)


if __name__ == "__main__":
    main()
