"""The executor's work, inside its own sandboxed process: it runs NO student Python.

It owns the device. Its job (from the worker) holds the platform, the tolerance used to
decide whether a loop matters, and every case's inputs, hidden ones included; artifacts
arrive afterwards on the same pipe, relayed by the worker as the runner produces them::

    job:        J {"platform", "rtol", "atol", "signatures": n, "cases": [[name, sig], ...]}
                W [inputs of case 0, inputs of case 1, ...]   (dynamic arguments only)
    then, per signature, in any order:
                J {"t": "artifact", "sig"} B bytes   |   J {"t": "skip", "sig"}
    and last:   J {"t": "end"}

Result messages (``J`` JSON, ``W`` a wire-encoded output tree)::

    J {"t": "isolation", ...}
    J {"t": "facts", "sig", "refused", "op_count", "op_counts", "loops", "custom_calls"}
    J {"t": "case", "name", "error", "output": bool, "time_ms", "loop_matters"} [W tree]
    J {"t": "memory"} | J {"t": "done"}

Everything about an artifact (deserialising, verifying, compiling, running) happens here,
inside this process's time and memory limits; any failure is the student's verdict.
"""

from __future__ import annotations

import json
import time
from typing import Any

from grader import artifact as art
from grader import wire
from grader.sandbox import codec

MAX_MESSAGE = 2000


def _send_json(fd: int, message: dict[str, Any]) -> None:
    wire.write_frame(fd, b"J" + json.dumps(message, allow_nan=False).encode())


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": kind, "message": message[:MAX_MESSAGE], "lineno": None, "traceback": ""}


def run_executor(job_fd: int, result_fd: int) -> None:
    meta, inputs = codec.decode_job(job_fd)
    platform = str(meta["platform"])
    rtol, atol = float(meta["rtol"]), float(meta["atol"])
    cases: list[tuple[str, int]] = [(str(n), int(s)) for n, s in meta["cases"]]
    pending = set(range(int(meta["signatures"])))
    while pending:
        header = json.loads(wire.read_frame(job_fd, max_bytes=1 << 20)[1:])
        tag, sig = header.get("t"), header.get("sig")
        if tag == "end":
            break
        payload = wire.read_frame(job_fd, max_bytes=art.MAX_ARTIFACT_BYTES + 1)[1:]
        if tag != "artifact" or sig not in pending:
            continue
        pending.discard(sig)
        mine = [(i, name) for i, (name, s) in enumerate(cases) if s == sig]
        _run_signature(result_fd, payload, sig, mine, inputs, platform, rtol, atol)
    _send_json(result_fd, {"t": "done"})


def _run_signature(
    result_fd: int,
    payload: bytes,
    sig: int,
    mine: list[tuple[int, str]],
    inputs: list[Any],
    platform: str,
    rtol: float,
    atol: float,
) -> None:
    facts: dict[str, Any] = {"t": "facts", "sig": sig, "refused": None}
    if not mine:
        return
    try:
        prepared = art.prepare(payload, inputs[mine[0][0]], platform)
    except art.ArtifactRefused as exc:
        facts["refused"] = str(exc)[:MAX_MESSAGE]
        _send_json(result_fd, facts)
        return
    facts.update(
        op_count=prepared.facts.op_count,
        op_counts=prepared.facts.op_counts,
        loops=prepared.facts.loops,
        custom_calls=prepared.facts.custom_calls,
    )
    _send_json(result_fd, facts)
    for index, name in mine:
        message: dict[str, Any] = {"t": "case", "name": name, "error": None, "output": False}
        payload_out = b""
        start = time.perf_counter()
        try:
            leaves, _ = art.flatten_inputs(inputs[index])
            output = prepared.run(leaves)
            message["time_ms"] = round((time.perf_counter() - start) * 1000, 3)
            message["loop_matters"] = art.loop_matters(prepared, leaves, output, rtol, atol)
            payload_out = wire.encode_tree(output)
            message["output"] = True
        except MemoryError:
            raise
        except wire.WireError as exc:
            message["error"] = _error("OutputError", f"your function must return arrays: {exc}")
        except Exception as exc:  # a runtime failure of the compiled program
            message["error"] = _error(type(exc).__name__, str(exc))
        message.setdefault("time_ms", round((time.perf_counter() - start) * 1000, 3))
        message.setdefault("loop_matters", None)
        _send_json(result_fd, message)
        if payload_out:
            wire.write_frame(result_fd, b"W" + payload_out)
