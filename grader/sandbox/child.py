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
import traceback
import types
from typing import Any

from grader import execution, exporting, wire
from grader.sandbox import codec, isolation

FILENAME = "submission.py"
MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000
EXIT_PROTOCOL = 71
# A MemoryError that escaped everything: the worker reads it as the memory verdict.
EXIT_MEMORY = 72


def send_json(fd: int, message: dict[str, Any]) -> None:
    wire.write_frame(fd, b"J" + json.dumps(message, allow_nan=False).encode())


def send_bytes(fd: int, payload: bytes) -> None:
    wire.write_frame(fd, b"B" + payload)


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
                artifact = exporting.export_entry(fn, dict(sig["static"]), dynamic, platform)
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
