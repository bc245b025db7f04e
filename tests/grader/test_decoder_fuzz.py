"""Property tests: nothing a hostile sandboxed process sends crashes the trusted decoders.

Every public decoder (decode_tree, decode_npy, loads_strict, FrameReader.feed, read_frame)
must either succeed with a well-formed result or raise WireError, never another exception
type. Valid payloads must round-trip bit for bit.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.wire import (
    MAGIC,
    MAX_DIM,
    MAX_ELEMENTS,
    NPY_MAGIC,
    FrameReader,
    WireError,
    decode_npy,
    decode_tree,
    dumps_strict,
    encode_tree,
    frame,
    loads_strict,
    read_frame,
)

CAP = 1 << 20

FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,  # leave no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------------------- helpers


def _npy(descr: str, shape: Any, data: bytes, *, fortran: bool = False) -> bytes:
    header = repr({"descr": descr, "fortran_order": fortran, "shape": shape}) + "\n"
    return NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def _payload(header_text: bytes, blobs: list[bytes]) -> bytes:
    out = MAGIC + struct.pack("<I", len(header_text)) + header_text
    for blob in blobs:
        out += struct.pack("<Q", len(blob)) + blob
    return out


def _or_wire_error(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call fn; WireError means "refused" (None), any other exception fails the test."""
    try:
        return fn(*args, **kwargs)
    except WireError:
        return None


def _assert_decoded_tree_is_well_formed(tree: Any, depth: int = 0) -> None:
    assert depth <= 64
    if tree is None:
        return
    if isinstance(tree, dict):
        assert all(isinstance(k, str) for k in tree)
        for value in tree.values():
            _assert_decoded_tree_is_well_formed(value, depth + 1)
    elif isinstance(tree, list | tuple):
        for value in tree:
            _assert_decoded_tree_is_well_formed(value, depth + 1)
    else:
        _assert_decoded_array_is_well_formed(tree)


def _assert_decoded_array_is_well_formed(array: Any) -> None:
    assert isinstance(array, np.ndarray)
    assert array.dtype.isnative
    assert array.dtype.kind in "biufc" or array.dtype in {
        np.dtype(ml_dtypes.bfloat16),
        np.dtype(ml_dtypes.float8_e4m3fn),
        np.dtype(ml_dtypes.float8_e5m2),
        np.dtype(ml_dtypes.float8_e4m3b11fnuz),
    }
    assert all(0 <= d <= MAX_DIM for d in array.shape)
    assert array.flags.writeable and array.flags.c_contiguous
    if array.dtype.kind == "b":
        assert set(np.unique(array.view(np.uint8)).tolist()) <= {0, 1}


# ---------------------------------------------------------------------------- strategies

DTYPES = [
    "|b1",
    "|i1",
    "<i2",
    "<i4",
    "<i8",
    "|u1",
    "<u2",
    "<u4",
    "<u8",
    "<f2",
    "<f4",
    "<f8",
    "<c8",
    "<c16",
    ">i4",
    ">f8",
    ">c8",
]

arrays = st.sampled_from(DTYPES).flatmap(
    lambda descr: hnp.arrays(
        np.dtype(descr), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
    )
)
bfloat16_arrays = hnp.arrays(
    np.uint16, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)
).map(lambda a: a.view(ml_dtypes.bfloat16))
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.complex_numbers(),
)
leaves = st.one_of(st.none(), arrays, bfloat16_arrays, scalars)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
    ),
    max_leaves=10,
)

# Dimensions that break naive size arithmetic: negative, zero, just past int32/intp, huge.
nasty_dims = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from(
        [0, 1, -1, MAX_DIM, MAX_DIM + 1, 2**32, 2**62, 2**63 - 1, 2**63, 2**64, 10**30, 10**100]
    ),
)
nasty_shapes = st.one_of(
    st.lists(nasty_dims, max_size=40).map(tuple),
    # zero times huge: math.prod is 0, so the byte count (0) always matches.
    st.tuples(st.lists(nasty_dims, max_size=5), st.lists(nasty_dims, max_size=5)).map(
        lambda parts: (*parts[0], 0, *parts[1])
    ),
)

# Tokens a hostile writer might splice into JSON.
HOSTILE_JSON_TOKENS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e999",
    "1" + "0" * 400,
    "-" + "9" * 5000,
    str(2**53 + 1),
    '"\\ud800"',
    "[" * 5000,
    "\x00",
    "\xff",
]

JSONISH = st.text(alphabet='[]{}",:0123456789.eE+- truefalsnulNaIiy\\ud8', max_size=200)
LITERALISH = st.text(
    alphabet="{}()[]'\":,0123456789-+.eEjxdescrfortan_odhpTuFlNb<>|ifcuO ", max_size=200
)


# ---------------------------------------------------------------------------- (1) random input


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes_into_decode_tree(data: bytes) -> None:
    tree = _or_wire_error(decode_tree, data, max_bytes=CAP)
    if tree is not None:  # random bytes almost never decode; if they do, they are sane
        _assert_decoded_tree_is_well_formed(tree)


@FUZZ
@given(st.one_of(st.binary(max_size=300), JSONISH.map(str.encode)), st.binary(max_size=300))
def test_random_structure_header_and_frames(header: bytes, rest: bytes) -> None:
    tree = _or_wire_error(
        decode_tree, MAGIC + struct.pack("<I", len(header)) + header + rest, max_bytes=CAP
    )
    if tree is not None:
        _assert_decoded_tree_is_well_formed(tree)


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes_into_decode_npy(data: bytes) -> None:
    array = _or_wire_error(decode_npy, data)
    if array is not None:
        _assert_decoded_array_is_well_formed(array)


@FUZZ
@given(
    st.sampled_from([b"\x01\x00", b"\x02\x00", b"\x03\x00"]),
    st.one_of(LITERALISH.map(lambda t: t.encode("utf-8")), st.binary(max_size=200)),
    st.binary(max_size=64),
)
def test_random_npy_header_literal(version: bytes, header: bytes, data: bytes) -> None:
    length = (
        struct.pack("<H", len(header)) if version == b"\x01\x00" else struct.pack("<I", len(header))
    )
    array = _or_wire_error(decode_npy, NPY_MAGIC + version + length + header + data)
    if array is not None:
        _assert_decoded_array_is_well_formed(array)
        assert array.nbytes == len(data)


@FUZZ
@given(st.one_of(st.binary(max_size=300), JSONISH, st.text(max_size=100)))
def test_random_input_into_loads_strict(data: bytes | str) -> None:
    value = _or_wire_error(loads_strict, data)
    if value is not None:
        # Whatever is accepted can be written back by a strict writer and re-read equal.
        assert loads_strict(dumps_strict(value)) == value


@FUZZ
@given(st.lists(st.binary(max_size=40), max_size=12))
def test_random_chunks_into_frame_reader(chunks: list[bytes]) -> None:
    reader = FrameReader(max_frame=64, max_total=256)
    frames: list[bytes] = []
    fed = b""
    for chunk in chunks:
        try:
            frames += reader.feed(chunk)
        except WireError:
            return
        fed += chunk
    # Nothing was refused: the frames plus what is pending are exactly the bytes fed.
    assert all(len(f) <= 64 for f in frames)
    assert b"".join(frame(f) for f in frames) == fed[: len(fed) - reader.pending]
    assert reader.pending < 8 + 64


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_into_read_frame(data: bytes) -> None:
    r, w = os.pipe()
    try:
        os.write(w, data)
        os.close(w)
        w = -1
        got = _or_wire_error(read_frame, r, max_bytes=256)
    finally:
        os.close(r)
        if w != -1:
            os.close(w)
    if got is not None:
        (length,) = struct.unpack("<Q", data[:8])
        assert length <= 256 and got == data[8 : 8 + length]


@pytest.mark.parametrize("chunk", ["text", 7, None, [1, 2], memoryview(b"abcd")[::2]])
def test_frame_reader_refuses_non_bytes(chunk: Any) -> None:
    with pytest.raises(WireError):
        FrameReader(max_frame=10, max_total=100).feed(chunk)


# ---------------------------------------------------------------------------- (2) round trips


def _assert_same_tree(decoded: Any, original: Any) -> None:
    if original is None:
        assert decoded is None
    elif isinstance(original, dict):
        assert isinstance(decoded, dict) and list(decoded) == list(original)
        for key, value in original.items():
            _assert_same_tree(decoded[key], value)
    elif isinstance(original, tuple | list):
        assert type(decoded) is type(original) and len(decoded) == len(original)
        for got, want in zip(decoded, original, strict=True):
            _assert_same_tree(got, want)
    else:
        expected = np.asarray(original)
        if not expected.dtype.isnative:
            expected = expected.astype(expected.dtype.newbyteorder("="))
        assert isinstance(decoded, np.ndarray)
        assert decoded.dtype == expected.dtype and decoded.shape == expected.shape
        assert decoded.tobytes() == expected.tobytes()  # bit for bit, NaN payloads included


@FUZZ
@given(trees)
def test_valid_trees_round_trip(tree: Any) -> None:
    payload = encode_tree(tree)
    _assert_same_tree(decode_tree(payload, max_bytes=CAP), tree)


@FUZZ
@given(arrays)
def test_valid_npy_round_trip(array: np.ndarray) -> None:
    payload = encode_tree(array)
    (header_len,) = struct.unpack("<I", payload[4:8])
    blob = payload[8 + header_len + 8 :]
    _assert_same_tree(decode_npy(blob), array)


def test_bool_bytes_are_canonicalised() -> None:
    out = decode_npy(_npy("|b1", (3,), b"\x00\x02\xff"))
    assert out.dtype == np.bool_ and out.view(np.uint8).tolist() == [0, 1, 1]
    scalar = decode_npy(_npy("|b1", (), b"\x07"))
    assert isinstance(scalar, np.ndarray) and scalar.shape == () and scalar.view(np.uint8) == 1


def test_encode_refuses_lone_surrogate_keys() -> None:
    with pytest.raises(WireError, match="surrogate"):
        encode_tree({"\ud800": np.zeros(1)})


# ---------------------------------------------------------------------------- (3) mutations


@st.composite
def mutated_payloads(draw: st.DrawFn) -> bytes:
    data = bytearray(encode_tree(draw(trees)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "overwrite"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
        elif op == "truncate":
            del data[pos:]
        else:
            junk = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from([b"\xff" * 8, struct.pack("<Q", 2**63), b"\x00" * 4]),
                )
            )
            data[pos : pos + len(junk)] = junk
    return bytes(data)


@FUZZ
@given(mutated_payloads())
def test_mutated_payloads_only_raise_wire_error(data: bytes) -> None:
    tree = _or_wire_error(decode_tree, data, max_bytes=CAP)
    if tree is not None:
        _assert_decoded_tree_is_well_formed(tree)


@FUZZ
@given(
    st.sampled_from(["<f4", "|b1", "<i8", ">c16", "|u1", "<f2"]),
    nasty_shapes,
    st.one_of(st.just(b""), st.binary(max_size=64)),
)
@example("<f4", (0, 10**30), b"")
@example("<f4", (10**30,), b"")
@example("<f8", (0, 2**62, 2**62), b"")
@example("|u1", (MAX_DIM + 1, 0), b"")
@example("|u1", (-1, 0), b"")
def test_forged_npy_shapes_only_raise_wire_error(
    descr: str, shape: tuple[int, ...], data: bytes
) -> None:
    blob = _npy(descr, shape, data)
    array = _or_wire_error(decode_npy, blob)
    if array is not None:
        _assert_decoded_array_is_well_formed(array)
        assert array.shape == shape and array.nbytes == len(data)
    # The same blob inside a tree gives the same verdict.
    tree = _or_wire_error(decode_tree, _payload(b'["a",0,null]', [blob]), max_bytes=CAP)
    assert (tree is None) == (array is None)


@FUZZ
@given(trees, st.sampled_from(HOSTILE_JSON_TOKENS), st.data())
def test_hostile_tokens_spliced_into_header_only_raise_wire_error(
    tree: Any, token: str, data: st.DataObject
) -> None:
    payload = encode_tree(tree)
    (header_len,) = struct.unpack("<I", payload[4:8])
    header = payload[8 : 8 + header_len]
    rest = payload[8 + header_len :]
    pos = data.draw(st.integers(0, len(header)))
    cut = data.draw(st.integers(0, min(8, len(header) - pos)))
    spliced = header[:pos] + token.encode("utf-8") + header[pos + cut :]
    forged = MAGIC + struct.pack("<I", len(spliced)) + spliced + rest
    out = _or_wire_error(decode_tree, forged, max_bytes=CAP)
    if out is not None:
        _assert_decoded_tree_is_well_formed(out)


@pytest.mark.parametrize("token", HOSTILE_JSON_TOKENS)
@pytest.mark.parametrize(
    "template",
    ['["a",{},null]', '["a",0,{}]', '["l",[["a",0,null],{}]]', "{}"],
)
def test_hostile_token_in_header_is_refused(template: str, token: str) -> None:
    blob = _npy("<f4", (1,), b"\x00" * 4)
    header = template.replace("{}", token).encode("utf-8")
    with pytest.raises(WireError):
        decode_tree(_payload(header, [blob]), max_bytes=CAP)


# ---------------------------------------------------------------------------- (4) regressions


@pytest.mark.parametrize(
    "shape",
    [(0, 10**30), (10**30, 0), (0, 2**31), (0, 2**62, 2**62), (0,) + (MAX_DIM,) * 31],
)
def test_zero_times_huge_shape_is_refused(shape: tuple[int, ...]) -> None:
    blob = _npy("<f4", shape, b"")
    with pytest.raises(WireError, match="absurd shape"):
        decode_npy(blob)
    with pytest.raises(WireError, match="absurd shape"):
        decode_tree(_payload(b'["a",0,null]', [blob]), max_bytes=CAP)


def test_zero_size_shapes_within_bounds_still_decode() -> None:
    assert decode_npy(_npy("<f4", (0, MAX_DIM), b"")).shape == (0, MAX_DIM)
    assert decode_npy(_npy("<f4", (0, 2**20, 2**20), b"")).shape == (0, 2**20, 2**20)
    assert decode_npy(_npy("<f4", (0,) * 32, b"")).shape == (0,) * 32
    with pytest.raises(WireError, match="absurd"):
        decode_npy(_npy("<f4", (0, 2**20, 2**20 + 1), b""))  # just past MAX_ELEMENTS
    assert MAX_ELEMENTS < 2**20 * (2**20 + 1)


@pytest.mark.parametrize("shape", [(10**30,), (2**63,), (2**64,), (MAX_DIM + 1,)])
def test_huge_shape_is_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(WireError):
        decode_npy(_npy("<f4", shape, b"\x00" * 16))


@pytest.mark.parametrize(
    "header",
    [
        "{[]: 1}",  # TypeError from literal_eval (unhashable key)
        "{'descr': '<f4', 'fortran_order': False, 'shape': {[]}}",
        "(" * 1000 + ")" * 1000,
        "1" * 4095,
    ],
)
def test_odd_npy_header_literals_are_refused(header: str) -> None:
    blob = NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header)) + header.encode()
    with pytest.raises(WireError):
        decode_npy(blob)


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "[NaN]",
        "Infinity",
        '{"x": -Infinity}',
        "1e999",
        "[-1e999]",
        "1" + "0" * 400,
        str(10**400),
        str(2**53 + 1),
        str(-(2**53) - 1),
        "[" * 100_000 + "]" * 100_000,
        '{"a": 1, "a": 2}',
        '"\\ud800"',
        '["\\udfff"]',
        "",
        "[1,]",
        "{'a': 1}",
    ],
)
def test_loads_strict_refuses(text: str) -> None:
    with pytest.raises(WireError):
        loads_strict(text)
    with pytest.raises(WireError):
        loads_strict(text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("data", [b"\xff", b'"\xc3"', b'"\xed\xa0\x80"', "\ud800", 12, None])
def test_loads_strict_refuses_bad_encodings_and_types(data: Any) -> None:
    with pytest.raises(WireError):
        loads_strict(data)


def test_loads_strict_accepts_ordinary_json() -> None:
    text = '{"a": [1, -2.5, true, null, "\\ud83d\\ude00"], "b": 9007199254740992}'
    assert loads_strict(text) == {"a": [1, -2.5, True, None, "\U0001f600"], "b": 2**53}
    assert loads_strict(text.encode()) == loads_strict(bytearray(text.encode()))
    assert loads_strict("-9007199254740992") == -(2**53)
    assert loads_strict("1e308") == 1e308
    assert loads_strict("100", max_int=100) == 100
    with pytest.raises(WireError):
        loads_strict("101", max_int=100)


def test_dumps_strict() -> None:
    assert dumps_strict({"a": [1, 2.5, None]}) == b'{"a":[1,2.5,null]}'
    assert json.loads(dumps_strict({"k": "\ud83d"})) == {"k": "\ud83d"}  # escaped, not raw
    for bad in (float("nan"), float("inf"), [float("-inf")]):
        with pytest.raises(ValueError):
            dumps_strict(bad)
