"""The job codec: how the trusted worker hands inputs to a sandboxed process.

Imported by both sides (it holds no secrets and runs nothing): the worker encodes, the
runner and the executor decode. A job is two frames: a JSON skeleton (Python scalars
inline, arrays as ``{"$a": i}``, containers tagged) and the wire-encoded list of arrays.
A *signature* skeleton replaces every array by its shape and dtype: that is all the
runner ever learns of a case's inputs.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from grader import wire

Tree = Any
MAX_JOB_BYTES = 1 << 30


def _skeleton(value: Any, arrays: list[np.ndarray] | None) -> Any:
    if isinstance(value, dict):
        return {"$d": {str(k): _skeleton(v, arrays) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        tag = "$l" if isinstance(value, list) else "$t"
        return {tag: [_skeleton(v, arrays) for v in value]}
    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if arrays is None:
            return {"$s": list(array.shape), "dtype": str(array.dtype)}
        arrays.append(array)
        return {"$a": len(arrays) - 1}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot send {type(value).__name__} to the sandbox")


def _rebuild(value: Any, arrays: list[Any] | None) -> Any:
    if isinstance(value, dict):
        if "$a" in value and arrays is not None:
            return arrays[value["$a"]]
        if "$s" in value:
            return {"shape": [int(d) for d in value["$s"]], "dtype": str(value["dtype"])}
        if "$d" in value:
            return {k: _rebuild(v, arrays) for k, v in value["$d"].items()}
        if "$l" in value:
            return [_rebuild(v, arrays) for v in value["$l"]]
        return tuple(_rebuild(v, arrays) for v in value["$t"])
    return value


def signature(inputs: dict[str, Tree]) -> Any:
    """The JSON-able signature of a case's dynamic inputs: shapes and dtypes only."""
    return _skeleton(inputs, None)


def decode_signature(skeleton: Any) -> Tree:
    """A signature back as nested containers with ``{"shape", "dtype"}`` leaves."""
    return _rebuild(skeleton, None)


def encode_job(meta: dict[str, Any], inputs: Any = None) -> list[bytes]:
    """The worker's side: two frames, JSON (``meta`` plus the input skeleton) and arrays."""
    arrays: list[np.ndarray] = []
    body = dict(meta, inputs=_skeleton(inputs, arrays))
    return [json.dumps(body, allow_nan=False).encode(), wire.encode_tree(arrays)]


def job_bytes(meta: dict[str, Any], inputs: Any = None) -> bytes:
    return b"".join(wire.frame(part) for part in encode_job(meta, inputs))


def decode_job(fd: int) -> tuple[dict[str, Any], Any]:
    """The sandboxed side: read both frames from ``fd`` and rebuild the inputs."""
    meta = json.loads(wire.read_frame(fd, max_bytes=MAX_JOB_BYTES))
    arrays = wire.decode_tree(wire.read_frame(fd, max_bytes=MAX_JOB_BYTES), max_bytes=MAX_JOB_BYTES)
    return meta, _rebuild(meta.pop("inputs"), arrays)


def split_static(
    inputs: dict[str, Tree], static_argnames: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Tree]]:
    """(static arguments, dynamic arguments); dynamic Python scalars become 0-d arrays so
    that the exported signature and the executor's inputs agree on their dtype."""
    static = {k: v for k, v in inputs.items() if k in static_argnames}
    dynamic = {k: as_arrays(v) for k, v in inputs.items() if k not in static_argnames}
    return static, dynamic


def as_arrays(value: Tree) -> Tree:
    """Python scalars in ``value`` as the 0-d arrays the executor gets (bool, int32,
    float32); arrays and containers are kept."""
    if isinstance(value, dict):
        return {k: as_arrays(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(as_arrays(v) for v in value)
    if isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, int):
        return np.asarray(value, np.int32)
    if isinstance(value, float):
        return np.asarray(value, np.float32)
    return value
