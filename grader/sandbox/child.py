"""Code that runs inside one sandboxed child: isolate, read the job, run the student.

The child is either forked from the zygote or started as a fresh interpreter (baseline
runner). Either way it gets three descriptors from the worker: the job pipe (read), the
result pipe (write), and stdout/stderr already pointing at a capped output pipe.

The job comes in two phases, each two frames (JSON skeleton, wire-encoded arrays; see
:func:`encode_job`). Phase 1 holds the source, entry point, static argument names, the
probes and the visible cases' inputs, and says how many hidden cases will follow. Phase
2, the hidden cases' inputs, is written by the worker only after it has received and
decoded every phase-1 result (``visible_done``): until then those inputs are nowhere in
the child, its pipe buffer included, so no output, message or exception shown to the
student for a visible case can be derived from them.

Result channel messages, each one length-prefixed frame whose first byte is its kind
(``J`` a JSON object, ``W`` a wire-encoded tree), in this order::

    J {"t": "isolation", ...}           before the job is read (student-free)
    J {"t": "load_error", "error"}      or, for each probe, J {"t": "facts", ...}
    J {"t": "case", "name", "time_ms", "error", "output": bool} [W tree]   per visible case
    J {"t": "visible_done"}             only if hidden cases follow; then phase 2 is read
    J {"t": "case", ...} [W tree]       per hidden case
    J {"t": "memory"} | J {"t": "too_large", "bytes"} | J {"t": "done"}

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
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from grader import execution, wire
from grader.sandbox import isolation

FILENAME = "submission.py"
MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000
MAX_JOB_BYTES = 1 << 30
EXIT_PROTOCOL = 71


def send_json(fd: int, message: dict[str, Any]) -> None:
    wire.write_frame(fd, b"J" + json.dumps(message, allow_nan=False).encode())


def send_tree(fd: int, payload: bytes) -> None:
    wire.write_frame(fd, b"W" + payload)


# ---------------------------------------------------------------------------- job codec


def encode_job(meta: dict[str, Any], inputs: dict[str, Any]) -> list[bytes]:
    """Worker side: two frames, the JSON skeleton (Python scalars inline, arrays as
    ``{"$a": i}``) and the wire-encoded list of arrays."""
    arrays: list[np.ndarray] = []

    def skeleton(value: Any) -> Any:
        if isinstance(value, dict):
            return {"$d": {str(k): skeleton(v) for k, v in value.items()}}
        if isinstance(value, list | tuple):
            return {"$l" if isinstance(value, list) else "$t": [skeleton(v) for v in value]}
        if isinstance(value, np.ndarray | np.generic):
            arrays.append(np.asarray(value))
            return {"$a": len(arrays) - 1}
        if value is None or isinstance(value, bool | int | float | str):
            return value
        raise TypeError(f"cannot send {type(value).__name__} to the sandbox")

    body = dict(meta, inputs=skeleton(inputs))
    return [json.dumps(body).encode(), wire.encode_tree(arrays)]


def decode_job(fd: int) -> tuple[dict[str, Any], dict[str, Any]]:
    meta = json.loads(wire.read_frame(fd, max_bytes=MAX_JOB_BYTES))
    arrays = wire.decode_tree(wire.read_frame(fd, max_bytes=MAX_JOB_BYTES), max_bytes=MAX_JOB_BYTES)

    def rebuild(value: Any) -> Any:
        if isinstance(value, dict):
            if "$a" in value:
                return arrays[value["$a"]]
            if "$d" in value:
                return {k: rebuild(v) for k, v in value["$d"].items()}
            if "$l" in value:
                return [rebuild(v) for v in value["$l"]]
            return tuple(rebuild(v) for v in value["$t"])
        return value

    return meta, rebuild(meta.pop("inputs"))


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


# ---------------------------------------------------------------------------- running


def _install_vmap_counter() -> list[int]:
    """Count applications of jax.vmap-transformed functions (for the ``vmap`` check)."""
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


def run_job(
    result_fd: int,
    meta: dict[str, Any],
    inputs: dict[str, Any],
    read_hidden: Callable[[], list[Any]] | None = None,
) -> None:
    """Load the source, trace the probes, run the visible cases and then, if the job has
    hidden cases, announce ``visible_done``, read them with ``read_hidden`` and run them."""
    static = tuple(meta["static_argnames"])
    max_output = int(meta["max_output_bytes"])
    hidden = int(meta.get("hidden_cases", 0))
    counter = _install_vmap_counter()
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
    for name, args in inputs["probes"]:
        counter[0] = 0
        facts: dict[str, Any] = {"t": "facts", "name": name}
        try:
            facts["eqn_count"], facts["primitives"] = execution.trace_facts(fn, args, static)
            facts["error"] = None
        except MemoryError:
            send_json(result_fd, {"t": "memory"})
            return
        except BaseException as exc:
            facts.update(eqn_count=0, primitives={}, error=describe_error(exc))
        facts["vmap_calls"] = counter[0]
        send_json(result_fd, facts)
    sent = [0]  # output bytes sent so far, both phases together
    if not _run_cases(result_fd, fn, static, inputs["cases"], max_output, sent):
        return
    if hidden:
        sys.stdout.flush()
        sys.stderr.flush()
        send_json(result_fd, {"t": "visible_done"})
        assert read_hidden is not None
        if not _run_cases(result_fd, fn, static, read_hidden(), max_output, sent):
            return
    sys.stdout.flush()
    sys.stderr.flush()
    send_json(result_fd, {"t": "done"})


def _run_cases(
    result_fd: int,
    fn: Any,
    static: tuple[str, ...],
    cases: list[Any],
    max_output: int,
    sent: list[int],
) -> bool:
    """Run and report ``cases``; False once a final message (memory, too large) was sent.
    ``sent`` counts the output bytes sent so far, shared by both phases."""
    for name, args in cases:
        start = time.perf_counter()
        message: dict[str, Any] = {"t": "case", "name": name, "error": None, "output": False}
        payload = b""
        try:
            out = execution.call_entry(fn, args, static)
            payload = wire.encode_tree(out)
            message["output"] = True
        except MemoryError:
            send_json(result_fd, {"t": "memory"})
            return False
        except wire.WireError as exc:
            message["error"] = {
                "type": "OutputError",
                "message": f"your function must return arrays: {exc}"[:MAX_MESSAGE],
                "lineno": None,
                "traceback": "",
            }
        except BaseException as exc:
            message["error"] = describe_error(exc)
        message["time_ms"] = (time.perf_counter() - start) * 1000
        sent[0] += len(payload)
        if sent[0] > max_output:
            send_json(result_fd, {"t": "too_large", "bytes": sent[0]})
            return False
        send_json(result_fd, message)
        if payload:
            send_tree(result_fd, payload)
    return True


def _read_hidden(job_fd: int) -> list[Any]:
    """Phase 2 of the job: the hidden cases, sent once the visible results are in."""
    os.set_blocking(job_fd, True)  # the student may have made the pipe non-blocking
    _, inputs = decode_job(job_fd)
    os.close(job_fd)
    cases = inputs["cases"]
    if not isinstance(cases, list):
        raise TypeError("phase 2 of the job holds no case list")
    return cases


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
    """Isolate, then run the job. Never returns: always ``os._exit``."""
    code = 0
    try:
        report = isolation.apply(plan)
        send_json(result_fd, {"t": "isolation", **report})
        meta, inputs = decode_job(job_fd)
        if not meta.get("hidden_cases"):
            os.close(job_fd)
        run_job(result_fd, meta, inputs, functools.partial(_read_hidden, job_fd))
    except MemoryError:
        code = 72
    except BaseException:  # a broken job pipe or a student who broke the runner
        code = EXIT_PROTOCOL
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
    from grader.sandbox import zygote

    zygote.preload()
    configure_jax(json.loads(args.config))
    child_main(json.loads(args.plan), args.job_fd, args.result_fd)


if __name__ == "__main__":
    main()
