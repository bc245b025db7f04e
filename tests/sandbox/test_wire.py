"""The strict no-pickle wire format: round trips and forged payloads."""

from __future__ import annotations

import io
import json
import pickle
import struct
from typing import Any

import ml_dtypes
import numpy as np
import pytest

from grader.wire import (
    MAGIC,
    FrameReader,
    WireError,
    decode_npy,
    decode_tree,
    encode_tree,
    frame,
    read_frame,
    write_frame,
)

CAP = 1 << 20


def _npy(descr: str, shape: tuple[int, ...], data: bytes, *, fortran: bool = False) -> bytes:
    header = repr({"descr": descr, "fortran_order": fortran, "shape": shape}) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def _payload(header: object, blobs: list[bytes]) -> bytes:
    text = json.dumps(header).encode()
    out = MAGIC + struct.pack("<I", len(text)) + text
    for blob in blobs:
        out += struct.pack("<Q", len(blob)) + blob
    return out


def test_round_trip_keeps_structure_dtypes_and_values() -> None:
    tree: dict[str, Any] = {
        "h": np.arange(12, dtype=np.float32).reshape(3, 4),
        "seq": [np.int32(7), (True, 2.5, 3 + 4j)],
        "none": None,
        "empty": np.zeros((0, 5), np.int64),
        "u8": np.arange(4, dtype=np.uint8),
        "half": np.ones(3, np.float16),
        "bf16": np.asarray([1.5, -2.0], dtype=ml_dtypes.bfloat16),
        "strided": np.arange(10.0)[::2],
    }
    out = decode_tree(encode_tree(tree), max_bytes=CAP)
    assert list(out) == list(tree)
    assert out["h"].dtype == np.float32 and np.array_equal(out["h"], tree["h"])
    assert isinstance(out["seq"], list) and isinstance(out["seq"][1], tuple)
    assert out["seq"][0].shape == () and out["seq"][0].dtype == np.int32
    assert out["seq"][1][0].dtype == np.bool_ and out["seq"][1][2] == 3 + 4j
    assert out["none"] is None
    assert out["empty"].shape == (0, 5)
    assert out["bf16"].dtype == ml_dtypes.bfloat16
    assert np.array_equal(out["bf16"].astype(np.float32), [1.5, -2.0])
    assert np.array_equal(out["strided"], [0.0, 2.0, 4.0, 6.0, 8.0])
    assert out["h"].flags.writeable  # a copy, not a view into the payload


def test_big_endian_npy_is_converted_to_native() -> None:
    arr = decode_npy(_npy(">i4", (2,), np.array([1, 2], ">i4").tobytes()))
    assert arr.dtype == np.int32 and arr.dtype.isnative and list(arr) == [1, 2]


@pytest.mark.parametrize(
    "value",
    [
        np.array([object()], dtype=object),
        np.array(["a"]),
        np.zeros(2, dtype=[("a", "i4")]),
        "text",
        b"bytes",
        2**80,
        object(),
        {1: np.zeros(1)},
        np.datetime64("2020-01-01"),
    ],
)
def test_encode_refuses_non_numeric(value: object) -> None:
    with pytest.raises(WireError):
        encode_tree(value)


def test_encode_refuses_objects_with_lying_eq() -> None:
    class AlwaysEqual:
        def __eq__(self, other: object) -> bool:
            return True

    with pytest.raises(WireError):
        encode_tree({"x": AlwaysEqual()})


def test_object_dtype_npy_with_pickle_inside_is_refused() -> None:
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(WireError, match="not numeric"):
        decode_tree(_payload(["a", 0, None], [buf.getvalue()]), max_bytes=CAP)


def test_raw_pickle_is_refused() -> None:
    with pytest.raises(WireError, match="magic"):
        decode_tree(pickle.dumps({"x": np.zeros(3)}), max_bytes=CAP)


@pytest.mark.parametrize("claimed", [(99_999_999_999,), (6 * 2**30 // 4,), (3,)])
def test_forged_shape_must_match_bytes_present(claimed: tuple[int, ...]) -> None:
    blob = _npy("<f4", claimed, b"\x00" * 16)
    with pytest.raises(WireError, match="needs"):
        decode_tree(_payload(["a", 0, None], [blob]), max_bytes=CAP)


def test_truncated_payloads_are_refused() -> None:
    good = encode_tree({"x": np.arange(100, dtype=np.float64)})
    for cut in (3, 7, 12, len(good) // 2, len(good) - 1):
        with pytest.raises(WireError):
            decode_tree(good[:cut], max_bytes=CAP)


@pytest.mark.parametrize(
    "blob",
    [
        _npy("<f4", (2,), b"\x00" * 8, fortran=True),
        _npy("<V8", (1,), b"\x00" * 8),
        _npy("|O", (1,), b"\x00" * 8),
        _npy("<M8[D]", (1,), b"\x00" * 8),
        _npy("f4", (2,), b"\x00" * 8),
        _npy("<f4", (-1,), b""),
        _npy("<f4", (2.0,), b"\x00" * 8),  # type: ignore[arg-type]
        b"\x93NUMPY\x01\x00" + struct.pack("<H", 60000) + b"x" * 100,
        b"\x93NUMPY\x09\x00" + b"\x00" * 20,
        b"\x93NUMPY\x01\x00\x10\x00" + b"__import__('os')\n",
        b"\x93NUMPY\x01\x00\x20\x00" + b"{'descr': '<f4', 'x': 1}       \n",
    ],
)
def test_forged_npy_headers_are_refused(blob: bytes) -> None:
    with pytest.raises(WireError):
        decode_npy(blob)


def test_structure_header_attacks_are_refused() -> None:
    blob = _npy("<f4", (1,), b"\x00" * 4)
    deep: object = ["a", 0, None]
    for _ in range(100):
        deep = ["l", [deep]]
    bad_headers = [
        deep,
        ["a", 1, None],  # index out of range
        ["l", [["a", 0, None], ["a", 0, None]]],  # same frame twice
        ["d", [["k", ["n"]], ["k", ["n"]]]],  # duplicate key
        ["x"],
        ["a", 0, "not-a-dtype"],
        {"a": 0},
    ]
    for header in bad_headers:
        with pytest.raises(WireError):
            decode_tree(_payload(header, [blob]), max_bytes=CAP)
    # An unreferenced extra frame is refused too.
    with pytest.raises(WireError, match="not referenced"):
        decode_tree(_payload(["n"], [blob]), max_bytes=CAP)
    # JSON nested beyond the interpreter's recursion limit.
    text = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(WireError):
        decode_tree(MAGIC + struct.pack("<I", len(text)) + text, max_bytes=CAP)


def test_size_and_leaf_caps() -> None:
    big = encode_tree(np.zeros(1000, np.float64))
    with pytest.raises(WireError, match="exceeds"):
        decode_tree(big, max_bytes=len(big) - 1)
    many = encode_tree([np.int8(i % 3) for i in range(50)])
    with pytest.raises(WireError, match="more than 10"):
        decode_tree(many, max_bytes=CAP, max_leaves=10)
    deep: object = np.zeros(1)
    for _ in range(10):
        deep = [deep]
    with pytest.raises(WireError, match="deeper"):
        decode_tree(encode_tree(deep), max_bytes=CAP, max_depth=5)


def test_frame_reader_splits_and_caps() -> None:
    data = frame(b"abc") + frame(b"") + frame(b"x" * 10)
    reader = FrameReader(max_frame=100, max_total=1000)
    got = []
    for i in range(len(data)):
        got += reader.feed(data[i : i + 1])
    assert got == [b"abc", b"", b"x" * 10] and reader.pending == 0
    with pytest.raises(WireError, match="exceeds"):
        FrameReader(max_frame=5, max_total=1000).feed(frame(b"x" * 6))
    with pytest.raises(WireError, match="bytes received"):
        FrameReader(max_frame=10**9, max_total=10).feed(b"\xff" * 11)


def test_blocking_frames_over_a_pipe() -> None:
    import os

    r, w = os.pipe()
    try:
        write_frame(w, b"hello")
        assert read_frame(r, max_bytes=10) == b"hello"
        write_frame(w, b"x" * 20)
        with pytest.raises(WireError, match="exceeds"):
            read_frame(r, max_bytes=10)
    finally:
        os.close(w)
        os.close(r)
    r, w = os.pipe()
    os.write(w, struct.pack("<Q", 100) + b"short")
    os.close(w)
    with pytest.raises(WireError, match="end of stream"):
        read_frame(r, max_bytes=1000)
    os.close(r)
