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
must equal the bytes present, every dimension and the element count are bounded, and
depth, leaf count and total size are capped.

The public decoders (:func:`decode_tree`, :func:`decode_npy`, :func:`loads_strict`,
:meth:`FrameReader.feed`, :func:`read_frame`) raise :class:`WireError` and nothing else
for malformed input, whatever its shape: an unexpected exception from deep inside (numpy,
``struct``, the parser, a recursion or memory limit) is turned into a :class:`WireError`.
:func:`loads_strict` is the JSON parser for every message from a sandboxed process; it
refuses ``NaN``/``Infinity``, non-finite floats, out-of-range ints, invalid UTF-8, lone
surrogates, duplicate object keys and nesting too deep for the interpreter.
"""

from __future__ import annotations

import ast
import functools
import json
import math
import os
import re
import struct
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import numpy as np

Tree = Any

MAGIC = b"JXW1"
NPY_MAGIC = b"\x93NUMPY"
MAX_DEPTH = 64
MAX_LEAVES = 10_000
MAX_NDIM = 32
MAX_JSON_HEADER = 1 << 20
MAX_NPY_HEADER = 4096
MAX_DIM = 2**31 - 1
# Bound on the product of the non-zero dimensions, so that a zero-size array cannot claim
# a shape (``(0, 10**30)``) that numpy itself refuses to build.
MAX_ELEMENTS = 2**40
MAX_JSON_INT = 2**53
_ALLOWED_KINDS = frozenset("biufc")
_EXTENSION_NAMES = ("bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3b11fnuz")


class WireError(ValueError):
    """Malformed, forged or oversized wire data."""


class FrameTooLarge(WireError):
    """More bytes than the reader's cap: too much output (a verdict), not garbage."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _only_wire_errors(
    what: str, *, passthrough: tuple[type[Exception], ...] = ()
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Make a public decoder raise :class:`WireError` (or one of ``passthrough``) only.

    Whatever else escapes (TypeError, OverflowError, MemoryError, RecursionError,
    UnicodeDecodeError, struct.error, a ValueError from numpy) means the input was
    malformed in a way no specific check caught; it is reported as ``what`` plus the
    exception's type, never its text, which may echo attacker-chosen bytes.
    """

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return fn(*args, **kwargs)
            except WireError:
                raise
            except passthrough:
                raise
            except Exception as exc:
                raise WireError(f"{what}: {type(exc).__name__}") from None

        return wrapper

    return decorate


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


# ---------------------------------------------------------------------------- JSON

# A \uD800-\uDFFF escape: json.loads turns an unpaired one into a lone surrogate, a str
# that cannot be encoded as UTF-8 later. Finding one only triggers the exact check below.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@_only_wire_errors("malformed JSON")
def loads_strict(data: bytes | bytearray | memoryview | str, *, max_int: int = MAX_JSON_INT) -> Any:
    """Parse JSON from an untrusted source; raise :class:`WireError` for anything dubious.

    Refused: invalid UTF-8 (or a str with lone surrogates, escaped or not), the
    ``NaN``/``Infinity``/``-Infinity`` constants, floats that overflow to infinity (``1e999``),
    ints with ``abs(n) > max_int`` (checked on the digit count before converting, so a
    million-digit literal costs nothing), duplicate object keys, nesting deeper than the
    interpreter can parse, and any other malformed text.
    """
    if isinstance(data, str):
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise WireError("JSON text contains lone surrogates") from None
    elif isinstance(data, bytes | bytearray | memoryview):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("JSON is not valid UTF-8") from None
    else:
        raise WireError(f"JSON must be str or bytes, got {type(data).__name__}")
    max_digits = len(str(abs(max_int)))

    def parse_int(literal: str) -> int:
        if len(literal.lstrip("-")) > max_digits:
            raise WireError(f"JSON integer out of range (|n| > {max_int})")
        value = int(literal)
        if abs(value) > max_int:
            raise WireError(f"JSON integer out of range (|n| > {max_int})")
        return value

    def parse_float(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise WireError("JSON number overflows to a non-finite float")
        return value

    def parse_constant(name: str) -> Any:
        raise WireError(f"JSON constant {name} is not allowed")

    def object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            raise WireError("duplicate key in JSON object")
        return out

    try:
        value = json.loads(
            text,
            parse_int=parse_int,
            parse_float=parse_float,
            parse_constant=parse_constant,
            object_pairs_hook=object_pairs,
        )
    except json.JSONDecodeError as exc:
        raise WireError(f"not valid JSON: {exc.msg} at offset {exc.pos}") from None
    except RecursionError:
        raise WireError("JSON is nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise WireError("JSON string contains a lone surrogate") from None
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())


def dumps_strict(obj: Any) -> bytes:
    """Compact JSON for trusted writers; NaN and infinities raise ``ValueError``."""
    return json.dumps(obj, allow_nan=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------- encoding


def encode_tree(tree: Tree) -> bytes:
    """Encode a pytree of numeric arrays; raises :class:`WireError` for anything else."""
    leaves: list[bytes] = []
    header = _encode_node(tree, leaves, depth=0)
    header_bytes = dumps_strict(header)
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
            try:
                key.encode("utf-8")
            except UnicodeEncodeError:
                # decode_tree (via loads_strict) would refuse it; refuse it here first.
                raise WireError("dict key contains a lone surrogate") from None
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


@_only_wire_errors("malformed wire payload")
def decode_tree(
    data: bytes | bytearray | memoryview,
    *,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    max_leaves: int = MAX_LEAVES,
) -> Tree:
    """Decode what :func:`encode_tree` produced, refusing anything malformed or too big.

    Raises :class:`WireError`, and nothing else, for any input that is not a valid payload.
    """
    view = memoryview(data).cast("B")
    if len(view) > max_bytes:
        raise WireError(f"payload of {len(view)} bytes exceeds the cap of {max_bytes}")
    if len(view) < 8 or bytes(view[:4]) != MAGIC:
        raise WireError("bad magic: not a jaxdojo wire payload")
    (header_len,) = struct.unpack("<I", view[4:8])
    if header_len > MAX_JSON_HEADER or 8 + header_len > len(view):
        raise WireError(f"structure header length {header_len} is out of range")
    try:
        header = loads_strict(bytes(view[8 : 8 + header_len]))
    except WireError as exc:
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


@_only_wire_errors("malformed .npy blob")
def decode_npy(blob: bytes | bytearray | memoryview) -> np.ndarray:
    """Strictly decode one ``.npy`` blob (numeric dtypes, exact size, no pickle).

    Raises :class:`WireError`, and nothing else, for any input that is not a valid blob.
    Bool arrays come back canonical (every byte 0 or 1), whatever bytes were sent.
    """
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
    except (
        ValueError,
        TypeError,
        SyntaxError,
        UnicodeDecodeError,
        RecursionError,
        MemoryError,
    ) as exc:
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
        raise WireError(f"bad shape {_short_repr(shape)}")
    data = view[start + header_len :]
    expected = math.prod(shape) * dtype.itemsize
    if expected != len(data):
        raise WireError(
            f"shape {_short_repr(shape)} of {dtype} needs {_short_repr(expected)} bytes, "
            f"got {len(data)}"
        )
    # A zero in the shape makes math.prod 0 whatever the other dimensions are, so the size
    # check alone lets ``(0, 10**30)`` through; numpy refuses such shapes, and so do we.
    if any(d > MAX_DIM for d in shape) or math.prod(d for d in shape if d) > MAX_ELEMENTS:
        raise WireError(
            f"absurd shape {_short_repr(shape)}: each dimension must be at most {MAX_DIM} "
            f"and the non-zero dimensions multiply to at most {MAX_ELEMENTS}"
        )
    if dtype.kind == "b":
        # Any non-zero byte is True; make it the canonical 1 so later comparisons agree.
        return np.frombuffer(data, dtype=np.uint8).astype(np.bool_).reshape(shape)
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if not dtype.isnative:
        array = array.astype(dtype.newbyteorder("="))
    return array


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _numeric_dtype(descr: Any) -> np.dtype[Any]:
    if not isinstance(descr, str) or len(descr) > 8:
        raise WireError(f"dtype descr must be a short string, got {descr!r}")
    if descr[:1] not in ("<", ">", "|", "="):
        raise WireError(f"dtype descr {descr!r} has no byte order")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError, SyntaxError):
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

    @_only_wire_errors("malformed frame stream")
    def feed(self, chunk: bytes) -> list[bytes]:
        """Buffer ``chunk`` and return the frames it completes; only raises WireError."""
        try:
            view = memoryview(chunk).cast("B")
        except TypeError:
            raise WireError(f"frame data must be bytes, got {type(chunk).__name__}") from None
        self.total += len(view)
        if self.total > self.max_total:
            raise FrameTooLarge(f"more than {self.max_total} bytes received")
        self._buffer += view
        frames = []
        while len(self._buffer) >= FRAME_HEADER.size:
            (length,) = FRAME_HEADER.unpack_from(self._buffer)
            if length > self.max_frame:
                # An honest frame too big for the cap is too much output; a length no
                # stream could ever carry is a garbled or forged header.
                error = FrameTooLarge if length <= 4 * self.max_total else WireError
                raise error(f"frame of {length} bytes exceeds the cap of {self.max_frame}")
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


@_only_wire_errors("malformed frame", passthrough=(OSError,))
def read_frame(fd: int, *, max_bytes: int) -> bytes:
    """Read one whole frame from a blocking file descriptor; EOF mid-frame is an error.

    Malformed or truncated input raises :class:`WireError` only; I/O failures of the
    descriptor itself still raise ``OSError``.
    """
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
