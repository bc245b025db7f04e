"""The trusted parser of a child's result stream: the two-phase order, without JAX."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from grader.sandbox.protocol import RunRequest
from grader.sandbox.results import ProtocolViolation, ResultStream
from grader.wire import encode_tree

X = {"x": np.zeros(3, np.float32)}


def _stream(hidden: int = 1, probes: int = 0) -> ResultStream:
    request = RunRequest(
        source="",
        entry_point="f",
        static_argnames=(),
        cases=(("v1", X), ("v2", X)),
        probes=tuple((f"p{i}", X) for i in range(probes)),
        hidden_cases=tuple((f"h{i}", X) for i in range(hidden)),
    )
    stream = ResultStream(request, max_output_bytes=1 << 20)
    stream.feed(_j(t="isolation"))
    return stream


def _j(**message: Any) -> bytes:
    return b"J" + json.dumps(message).encode()


def _case(stream: ResultStream, name: str) -> None:
    stream.feed(_j(t="case", name=name, time_ms=1.0, error=None, output=True))
    stream.feed(b"W" + encode_tree(np.ones(3, np.float32)))


def test_two_phases_in_order() -> None:
    stream = _stream(hidden=2)
    _case(stream, "v1")
    _case(stream, "v2")
    assert not stream.visible_done
    stream.feed(_j(t="visible_done"))
    assert stream.visible_done and [c.name for c in stream.cases] == ["v1", "v2"]
    _case(stream, "h0")
    _case(stream, "h1")
    stream.feed(_j(t="done"))
    assert stream.final == "done" and [c.name for c in stream.cases][2:] == ["h0", "h1"]


def test_a_hidden_case_before_visible_done_is_a_violation() -> None:
    stream = _stream()
    _case(stream, "v1")
    _case(stream, "v2")
    with pytest.raises(ProtocolViolation, match="before visible_done"):
        _case(stream, "h0")


@pytest.mark.parametrize("ran", [0, 1])
def test_visible_done_before_every_visible_result_is_a_violation(ran: int) -> None:
    stream = _stream(probes=1)
    if ran:
        stream.feed(_j(t="facts", name="p0", eqn_count=1, primitives={}, vmap_calls=0))
        _case(stream, "v1")
    with pytest.raises(ProtocolViolation, match="unexpected visible_done"):
        stream.feed(_j(t="visible_done"))
    assert not stream.visible_done


def test_visible_done_with_an_output_still_pending_is_a_violation() -> None:
    stream = _stream()
    _case(stream, "v1")
    stream.feed(_j(t="case", name="v2", time_ms=1.0, error=None, output=True))
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(t="visible_done"))
    assert not stream.visible_done


def test_visible_done_without_hidden_cases_or_twice_is_a_violation() -> None:
    stream = _stream(hidden=0)
    _case(stream, "v1")
    _case(stream, "v2")
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(t="visible_done"))
    stream = _stream()
    _case(stream, "v1")
    _case(stream, "v2")
    stream.feed(_j(t="visible_done"))
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(t="visible_done"))


def test_done_before_the_hidden_cases_and_load_error_after_phase_one_are_violations() -> None:
    for after in ("done", "load_error"):
        stream = _stream()
        _case(stream, "v1")
        _case(stream, "v2")
        stream.feed(_j(t="visible_done"))
        error = {"type": "E", "message": "m", "lineno": None, "traceback": ""}
        with pytest.raises(ProtocolViolation):
            stream.feed(_j(t=after, error=error))


def test_a_load_error_ends_the_run_without_phase_two() -> None:
    stream = _stream()
    error = {"type": "SyntaxError", "message": "bad", "lineno": 1, "traceback": ""}
    stream.feed(_j(t="load_error", error=error))
    stream.feed(_j(t="done"))
    assert stream.final == "done" and not stream.visible_done
