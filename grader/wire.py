"""A no-pickle wire format for pytrees of numeric arrays, and length-prefixed framing.

Used wherever arrays cross a trust boundary (the sandboxed runner's results) or are
stored by trusted code (the reference cache). A tree is a dict (str keys), list, tuple,
None, or a numeric array; Python and numpy scalars travel as 0-d arrays.

Layout of an encoded tree::

    b"JXW1" | u32 header length | JSON header | (u64 length | .npy bytes) * n_leaves

The JSON header describes the structure with tagged nodes (``["d", [[key, node], ...]]``,
``["l", [...]]``, ``["t", [...]]``, ``["n"]``, ``["a", index, extension dtype or null]``).

Decoding is strict and never allocates more than the bytes it was given: the ``.npy``
header is parsed here (magic, version, a bounded dict literal), only bool, integer,
float and complex dtypes are accepted (bfloat16 and other ``ml_dtypes`` types travel as
their unsigned-integer bit pattern plus a name in the JSON header), ``shape x itemsize``
must equal the bytes present, and depth, leaf count and total size are capped.
"""

from __future__ import annotations

import ast
import json
import math
import os
import struct
from collections.abc import Iterator
from typing import Any

import numpy as np

Tree = Any

MAGIC = b"JXW1"
NPY_MAGIC = b"\x93NUMPY"
MAX_DEPTH = 64
MAX_LEAVES = 10_000
MAX_NDIM = 32
MAX_JSON_HEADER = 1 << 20
MAX_NPY_HEADER = 4096
_ALLOWED_KINDS = frozenset("biufc")
_EXTENSION_NAMES = ("bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3b11fnuz")


class WireError(ValueError):
    """Malformed, forged or oversized wire data."""


def _extension_dtypes() -> dict[str, np.dtype[Any]]:
    try:
        import ml_dtypes
    except ImportError:  # pragma: no cover - ml_dtypes ships with jax
        return {}
    found: dict[str, np.dtype[Any]] = {}
    for name in _EXTENSION_NAMES:
        if hasattr(ml_dtypes, name):
            found[name] = np.dtype(getattr(ml_dtypes, name))
    return found


_EXTENSIONS = _extension_dtypes()
_EXTENSION_BY_DTYPE = {dtype: name for name, dtype in _EXTENSIONS.items()}


# ---------------------------------------------------------------------------- encoding


def encode_tree(tree: Tree) -> bytes:
    """Encode a pytree of numeric arrays; raises :class:`WireError` for anything else."""
    leaves: list[bytes] = []
    header = _encode_node(tree, leaves, depth=0)
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    parts = [MAGIC, struct.pack("<I", len(header_bytes)), header_bytes]
    for blob in leaves:
        parts.append(struct.pack("<Q", len(blob)))
        parts.append(blob)
    return b"".join(parts)


def _encode_node(node: Tree, leaves: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"tree is nested deeper than {MAX_DEPTH} levels")
    if node is None:
        return ["n"]
    if isinstance(node, dict):
        items = []
        for key, value in node.items():
            if not isinstance(key, str):
                raise WireError(f"dict keys must be str, got {type(key).__name__}")
            items.append([key, _encode_node(value, leaves, depth + 1)])
        return ["d", items]
    if isinstance(node, tuple) and not hasattr(node, "_fields"):
        return ["t", [_encode_node(v, leaves, depth + 1) for v in node]]
    if isinstance(node, list):
        return ["l", [_encode_node(v, leaves, depth + 1) for v in node]]
    array = _as_numeric_array(node)
    if len(leaves) >= MAX_LEAVES:
        raise WireError(f"tree has more than {MAX_LEAVES} leaves")
    extension = _EXTENSION_BY_DTYPE.get(array.dtype)
    if extension is not None:
        array = array.view(np.dtype(f"u{array.dtype.itemsize}"))
    leaves.append(_npy_bytes(array))
    return ["a", len(leaves) - 1, extension]


def _as_numeric_array(node: Any) -> np.ndarray:
    if isinstance(node, np.ndarray):
        array = node
    elif isinstance(node, bool | int | float | complex | np.generic):
        try:
            array = np.asarray(node)
        except OverflowError as exc:
            raise WireError(f"scalar out of range: {exc}") from None
    else:
        raise WireError(f"not an array or number: {type(node).__name__}")
    numeric = array.dtype.kind in _ALLOWED_KINDS and array.dtype.fields is None
    if not numeric and array.dtype not in _EXTENSION_BY_DTYPE:
        raise WireError(f"dtype {array.dtype} is not numeric")
    # np.ascontiguousarray would turn a 0-d array into shape (1,).
    return array if array.flags.c_contiguous else np.array(array, order="C")


def _npy_bytes(array: np.ndarray) -> bytes:
    descr = array.dtype.newbyteorder("<").str if array.dtype.itemsize > 1 else array.dtype.str
    little = array.astype(descr, copy=False)
    header = repr({"descr": descr, "fortran_order": False, "shape": tuple(array.shape)})
    # version 1.0: magic, 2 version bytes, u16 header length; pad so data is 64-aligned.
    total = len(NPY_MAGIC) + 2 + 2 + len(header) + 1
    header += " " * ((-total) % 64) + "\n"
    prefix = NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header))
    return prefix + header.encode("latin1") + little.tobytes()


# ---------------------------------------------------------------------------- decoding


def decode_tree(
    data: bytes | bytearray | memoryview,
    *,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    max_leaves: int = MAX_LEAVES,
) -> Tree:
    """Decode what :func:`encode_tree` produced, refusing anything malformed or too big."""
    view = memoryview(data).cast("B")
    if len(view) > max_bytes:
        raise WireError(f"payload of {len(view)} bytes exceeds the cap of {max_bytes}")
    if len(view) < 8 or bytes(view[:4]) != MAGIC:
        raise WireError("bad magic: not a jaxdojo wire payload")
    (header_len,) = struct.unpack("<I", view[4:8])
    if header_len > MAX_JSON_HEADER or 8 + header_len > len(view):
        raise WireError(f"structure header length {header_len} is out of range")
    try:
        header = json.loads(bytes(view[8 : 8 + header_len]).decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"structure header is not valid JSON: {exc}") from None
    blobs = list(_split_blobs(view, 8 + header_len, max_leaves))
    used: set[int] = set()
    tree = _decode_node(header, blobs, used, 0, max_depth)
    if len(used) != len(blobs):
        raise WireError(f"{len(blobs) - len(used)} array frames are not referenced")
    return tree


def _split_blobs(view: memoryview, offset: int, max_leaves: int) -> Iterator[memoryview]:
    count = 0
    while offset < len(view):
        if offset + 8 > len(view):
            raise WireError("truncated array frame length")
        (length,) = struct.unpack("<Q", view[offset : offset + 8])
        offset += 8
        if length > len(view) - offset:
            raise WireError(f"array frame claims {length} bytes, only {len(view) - offset} left")
        count += 1
        if count > max_leaves:
            raise WireError(f"more than {max_leaves} array frames")
        yield view[offset : offset + length]
        offset += length


def _decode_node(
    node: Any, blobs: list[memoryview], used: set[int], depth: int, max_depth: int
) -> Tree:
    if depth > max_depth:
        raise WireError(f"tree is nested deeper than {max_depth} levels")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise WireError("malformed structure node")
    tag = node[0]
    if tag == "n" and len(node) == 1:
        return None
    if tag == "d" and len(node) == 2 and isinstance(node[1], list):
        out: dict[str, Tree] = {}
        for item in node[1]:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                raise WireError("malformed dict entry")
            if item[0] in out:
                raise WireError(f"duplicate dict key {item[0]!r}")
            out[item[0]] = _decode_node(item[1], blobs, used, depth + 1, max_depth)
        return out
    if tag in ("l", "t") and len(node) == 2 and isinstance(node[1], list):
        children = [_decode_node(v, blobs, used, depth + 1, max_depth) for v in node[1]]
        return children if tag == "l" else tuple(children)
    if tag == "a" and len(node) == 3:
        index, extension = node[1], node[2]
        if type(index) is not int or not 0 <= index < len(blobs) or index in used:
            raise WireError(f"bad or reused array index {index!r}")
        used.add(index)
        array = decode_npy(blobs[index])
        if extension is not None:
            array = _view_extension(array, extension)
        return array
    raise WireError(f"unknown structure node {tag!r}")


def _view_extension(array: np.ndarray, name: Any) -> np.ndarray:
    dtype = _EXTENSIONS.get(name) if isinstance(name, str) else None
    if dtype is None:
        raise WireError(f"unknown extension dtype {name!r}")
    if array.dtype.kind != "u" or array.dtype.itemsize != dtype.itemsize:
        raise WireError(f"{name} must travel as u{dtype.itemsize}, got {array.dtype}")
    return array.view(dtype)


def decode_npy(blob: bytes | bytearray | memoryview) -> np.ndarray:
    """Strictly decode one ``.npy`` blob (numeric dtypes, exact size, no pickle)."""
    view = memoryview(blob).cast("B")
    if len(view) < 10 or bytes(view[:6]) != NPY_MAGIC:
        raise WireError("bad .npy magic")
    major, minor = view[6], view[7]
    if major == 1 and minor == 0:
        (header_len,) = struct.unpack("<H", view[8:10])
        start = 10
    elif major in (2, 3) and minor == 0 and len(view) >= 12:
        (header_len,) = struct.unpack("<I", view[8:12])
        start = 12
    else:
        raise WireError(f"unsupported .npy version {major}.{minor}")
    if header_len > MAX_NPY_HEADER or start + header_len > len(view):
        raise WireError(f".npy header length {header_len} is out of range")
    try:
        text = bytes(view[start : start + header_len]).decode("utf-8" if major == 3 else "latin1")
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise WireError(f".npy header is not a literal: {type(exc).__name__}") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise WireError(".npy header must have exactly descr, fortran_order and shape")
    dtype = _numeric_dtype(header["descr"])
    if header["fortran_order"] is not False:
        raise WireError("fortran-ordered arrays are not accepted")
    shape = header["shape"]
    if (
        not isinstance(shape, tuple)
        or len(shape) > MAX_NDIM
        or not all(type(d) is int and d >= 0 for d in shape)
    ):
        raise WireError(f"bad shape {shape!r}")
    data = view[start + header_len :]
    expected = math.prod(shape) * dtype.itemsize
    if expected != len(data):
        raise WireError(f"shape {shape} of {dtype} needs {expected} bytes, got {len(data)}")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if not dtype.isnative:
        array = array.astype(dtype.newbyteorder("="))
    return array


def _numeric_dtype(descr: Any) -> np.dtype[Any]:
    if not isinstance(descr, str) or len(descr) > 8:
        raise WireError(f"dtype descr must be a short string, got {descr!r}")
    if descr[:1] not in ("<", ">", "|", "="):
        raise WireError(f"dtype descr {descr!r} has no byte order")
    try:
        dtype = np.dtype(descr)
    except TypeError:
        raise WireError(f"unknown dtype {descr!r}") from None
    if dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype:
        raise WireError(f"dtype {descr!r} is not numeric")
    return dtype


# ---------------------------------------------------------------------------- framing

FRAME_HEADER = struct.Struct("<Q")


def frame(payload: bytes) -> bytes:
    """A length-prefixed frame: u64 little-endian length, then the payload."""
    return FRAME_HEADER.pack(len(payload)) + payload


class FrameReader:
    """Incremental frame parser for bytes arriving on a pipe, with a per-frame cap and a
    cap on all bytes ever fed (so a flood is refused without buffering it)."""

    def __init__(self, *, max_frame: int, max_total: int) -> None:
        self.max_frame = max_frame
        self.max_total = max_total
        self.total = 0
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        self.total += len(chunk)
        if self.total > self.max_total:
            raise WireError(f"more than {self.max_total} bytes received")
        self._buffer += chunk
        frames = []
        while len(self._buffer) >= FRAME_HEADER.size:
            (length,) = FRAME_HEADER.unpack_from(self._buffer)
            if length > self.max_frame:
                raise WireError(f"frame of {length} bytes exceeds the cap of {self.max_frame}")
            end = FRAME_HEADER.size + length
            if len(self._buffer) < end:
                break
            frames.append(bytes(self._buffer[FRAME_HEADER.size : end]))
            del self._buffer[:end]
        return frames

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame still buffered."""
        return len(self._buffer)


def write_frame(fd: int, payload: bytes) -> None:
    """Write one whole frame to a blocking file descriptor."""
    data = memoryview(frame(payload))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_frame(fd: int, *, max_bytes: int) -> bytes:
    """Read one whole frame from a blocking file descriptor; EOF mid-frame is an error."""
    (length,) = FRAME_HEADER.unpack(_read_exact(fd, FRAME_HEADER.size))
    if length > max_bytes:
        raise WireError(f"frame of {length} bytes exceeds the cap of {max_bytes}")
    return _read_exact(fd, length)


def _read_exact(fd: int, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = os.read(fd, min(n - len(chunks), 1 << 20))
        if not chunk:
            raise WireError(f"end of stream after {len(chunks)} of {n} bytes")
        chunks += chunk
    return bytes(chunks)
