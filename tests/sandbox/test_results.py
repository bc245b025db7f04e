"""The trusted parsers of the runner's and the executor's result streams, without JAX.

Both streams are untrusted input: the runner ran the student's Python, and the executor
ran the student's compiled program. The order rules are tested one by one; then property
tests feed random and mutated frames into both streams and require that nothing but
:class:`ProtocolViolation` ever escapes, and that whatever was accepted is well formed.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.artifact import MAX_ARTIFACT_BYTES
from grader.sandbox.protocol import ProgramFacts, RawStudentError
from grader.sandbox.results import (
    MAX_COUNT,
    MAX_JSON_FRAME,
    MAX_LINE,
    MAX_MESSAGE,
    MAX_PROGRESS,
    MAX_TIME_MS,
    MAX_TRACEBACK,
    MAX_TYPE,
    PROGRESS_WHERE,
    ArtifactMessage,
    ExecutorStream,
    Progress,
    ProtocolViolation,
    RunnerStream,
)
from grader.wire import encode_tree

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # leave no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MUTATIONS = settings(FUZZ, max_examples=600)

ERROR = {"type": "TypeError", "message": "bad shapes", "lineno": 3, "traceback": "  line 3"}
OUT = np.arange(3, dtype=np.float32)
# Two signatures: the visible cases share signature 0, the hidden case has signature 1.
CASE_SIGS = {"v1": 0, "v2": 0, "h0": 1}


def _j(**message: Any) -> bytes:
    return b"J" + json.dumps(message).encode()


ISOLATION = _j(t="isolation", seccomp=True, landlock=3)

# ---------------------------------------------------------------------------- runner


def runner_stream(signatures: int = 2, **kw: Any) -> RunnerStream:
    stream = RunnerStream(signatures=signatures, max_output_bytes=1 << 20, **kw)
    stream.feed(ISOLATION)
    return stream


def artifact_frames(sig: int, data: bytes = b"program", vmap_calls: int = 0) -> list[bytes]:
    head = _j(t="artifact", sig=sig, error=None, vmap_calls=vmap_calls, bytes=len(data))
    return [head, b"B" + data]


def export_error(sig: int, error: dict[str, Any] | None = None) -> bytes:
    return _j(t="artifact", sig=sig, error=error or ERROR, vmap_calls=0, bytes=0)


def any_stream(role: str) -> RunnerStream | ExecutorStream:
    return runner_stream(1) if role == "runner" else executor_stream()


def feed_all(stream: RunnerStream | ExecutorStream, frames: list[bytes]) -> None:
    for data in frames:
        stream.feed(data)


def test_runner_artifacts_in_order_then_done() -> None:
    seen: list[ArtifactMessage] = []
    stream = runner_stream(3, on_artifact=seen.append)
    assert stream.isolation == {"seccomp": True, "landlock": 3}
    feed_all(stream, artifact_frames(0, b"first", vmap_calls=2))
    stream.feed(export_error(1))
    feed_all(stream, artifact_frames(2, b"third!"))
    stream.feed(_j(t="done"))
    assert stream.final == "done" and stream.load_error is None
    assert [a.sig for a in stream.artifacts] == [0, 1, 2]
    assert [a.data for a in stream.artifacts] == [b"first", b"", b"third!"]
    assert [a.size for a in stream.artifacts] == [5, 0, 6]
    assert stream.artifacts[0].vmap_calls == 2 and stream.artifacts[0].error is None
    assert stream.artifacts[1].error == RawStudentError(
        type="TypeError", message="bad shapes", lineno=3, traceback="  line 3"
    )
    assert stream.output_bytes == 11
    # each artifact is handed on as soon as it is complete, in order
    assert seen == stream.artifacts


def test_runner_artifact_is_relayed_only_once_its_bytes_came() -> None:
    seen: list[ArtifactMessage] = []
    stream = runner_stream(1, on_artifact=seen.append)
    head, body = artifact_frames(0, b"abc")
    stream.feed(head)
    assert seen == [] and stream.artifacts == []
    stream.feed(body)
    assert [a.data for a in seen] == [b"abc"]


def test_the_isolation_report_must_come_first() -> None:
    for first in (_j(t="done"), *artifact_frames(0)[:1], _j(t="memory"), b"B" + b"x"):
        stream = RunnerStream(signatures=1)
        with pytest.raises(ProtocolViolation):
            stream.feed(first)
        assert stream.isolation is None and stream.final is None
    stream = ExecutorStream(case_sigs=CASE_SIGS)
    with pytest.raises(ProtocolViolation, match="isolation report must come first"):
        stream.feed(_j(t="facts", sig=0, refused="no"))
    assert stream.refused == {}


def test_a_second_isolation_report_is_a_violation() -> None:
    for stream in (runner_stream(), executor_stream()):
        with pytest.raises(ProtocolViolation, match="unknown message"):
            stream.feed(_j(t="isolation", seccomp=False))
        assert stream.isolation == {"seccomp": True, "landlock": 3}


@pytest.mark.parametrize("sig", [1, 2, -1])
def test_an_artifact_out_of_order_is_a_violation(sig: int) -> None:
    stream = runner_stream(3)
    with pytest.raises(ProtocolViolation, match="out of order"):
        stream.feed(artifact_frames(sig)[0])
    assert stream.artifacts == []


def test_a_repeated_or_surplus_artifact_is_a_violation() -> None:
    stream = runner_stream(2)
    feed_all(stream, artifact_frames(0))
    with pytest.raises(ProtocolViolation, match="out of order"):
        stream.feed(artifact_frames(0)[0])
    stream = runner_stream(1)
    feed_all(stream, artifact_frames(0))
    with pytest.raises(ProtocolViolation, match="out of order"):
        stream.feed(artifact_frames(1)[0])
    assert len(stream.artifacts) == 1


@pytest.mark.parametrize("delta", [-1, 1])
def test_artifact_bytes_must_match_the_announced_size(delta: int) -> None:
    stream = runner_stream(1)
    stream.feed(_j(t="artifact", sig=0, error=None, vmap_calls=0, bytes=8))
    with pytest.raises(ProtocolViolation, match="nobody announced"):
        stream.feed(b"B" + b"x" * (8 + delta))
    assert stream.artifacts == []


def test_artifact_bytes_nobody_announced_are_a_violation() -> None:
    stream = runner_stream(2)
    with pytest.raises(ProtocolViolation, match="nobody announced"):
        stream.feed(b"B" + b"program")
    # nor may an export error be followed by bytes
    stream = runner_stream(2)
    stream.feed(export_error(0))
    with pytest.raises(ProtocolViolation, match="nobody announced"):
        stream.feed(b"B")


@pytest.mark.parametrize("then", [_j(t="done"), *artifact_frames(1)[:1], _j(t="memory")])
def test_a_message_while_artifact_bytes_are_pending_is_a_violation(then: bytes) -> None:
    stream = runner_stream(2)
    stream.feed(artifact_frames(0)[0])
    with pytest.raises(ProtocolViolation, match="never came"):
        stream.feed(then)
    assert stream.final is None and stream.artifacts == []


@pytest.mark.parametrize(
    "message",
    [
        {"error": None, "bytes": 0},  # neither
        {"error": ERROR, "bytes": 4},  # both
        {"error": None, "bytes": MAX_ARTIFACT_BYTES + 1},  # larger than any program
    ],
)
def test_an_artifact_needs_exactly_one_of_bytes_and_error(message: dict[str, Any]) -> None:
    stream = runner_stream(1)
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(t="artifact", sig=0, vmap_calls=0, **message))
    assert stream.artifacts == []


@pytest.mark.parametrize("exported", [0, 1])
def test_done_before_every_signature_is_a_violation(exported: int) -> None:
    stream = runner_stream(2)
    for sig in range(exported):
        feed_all(stream, artifact_frames(sig))
    with pytest.raises(ProtocolViolation, match="before every signature"):
        stream.feed(_j(t="done"))
    assert stream.final is None


def test_a_load_error_ends_the_run_without_artifacts() -> None:
    stream = runner_stream(2)
    stream.feed(_j(t="load_error", error={**ERROR, "type": "SyntaxError"}))
    assert stream.load_error is not None and stream.load_error.type == "SyntaxError"
    with pytest.raises(ProtocolViolation, match="after load_error"):
        stream.feed(artifact_frames(0)[0])
    stream = runner_stream(2)
    stream.feed(_j(t="load_error", error=ERROR))
    stream.feed(_j(t="done"))  # no signature was exported, and that is fine here
    assert stream.final == "done" and stream.artifacts == []


def test_load_error_after_an_artifact_twice_or_empty_is_a_violation() -> None:
    stream = runner_stream(2)
    feed_all(stream, artifact_frames(0))
    with pytest.raises(ProtocolViolation, match="after the code was loaded"):
        stream.feed(_j(t="load_error", error=ERROR))
    stream = runner_stream(2)
    stream.feed(_j(t="load_error", error=ERROR))
    with pytest.raises(ProtocolViolation, match="after the code was loaded"):
        stream.feed(_j(t="load_error", error=ERROR))
    stream = runner_stream(2)
    with pytest.raises(ProtocolViolation, match="without an error"):
        stream.feed(_j(t="load_error", error=None))
    assert stream.load_error is None


@pytest.mark.parametrize("final", ["done", "memory", "too_large"])
def test_runner_data_after_the_final_message_is_a_violation(final: str) -> None:
    stream = runner_stream(1)
    if final == "done":
        feed_all(stream, artifact_frames(0))
    stream.feed(_j(t=final))
    assert stream.final == final
    for more in (_j(t="done"), *artifact_frames(0), b"B", b"J{}"):
        with pytest.raises(ProtocolViolation, match="after the final"):
            stream.feed(more)
    assert stream.final == final


def test_runner_output_over_the_cap_is_too_large_not_accepted() -> None:
    stream = RunnerStream(signatures=2, max_output_bytes=10)
    stream.feed(ISOLATION)
    feed_all(stream, artifact_frames(0, b"x" * 6))
    feed_all(stream, artifact_frames(1, b"y" * 6))
    assert stream.final == "too_large"
    assert [a.sig for a in stream.artifacts] == [0]
    with pytest.raises(ProtocolViolation, match="after the final"):
        stream.feed(_j(t="done"))


# ---------------------------------------------------------------------------- executor


def executor_stream(case_sigs: dict[str, int] | None = None, **kw: Any) -> ExecutorStream:
    stream = ExecutorStream(
        case_sigs=dict(CASE_SIGS if case_sigs is None else case_sigs),
        max_output_bytes=1 << 20,
        **kw,
    )
    stream.feed(ISOLATION)
    return stream


def facts_message(sig: Any, **over: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "t": "facts",
        "sig": sig,
        "refused": None,
        "op_count": 12,
        "op_counts": {"stablehlo.while": 1, "stablehlo.add": 3},
        "loops": 1,
        "custom_calls": ["Sharding"],
    }
    message.update(over)
    return message


def facts_frame(sig: int, **over: Any) -> bytes:
    return _j(**facts_message(sig, **over))


def case_message(name: str, **over: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "t": "case",
        "name": name,
        "error": None,
        "output": True,
        "time_ms": 1.5,
        "loop_matters": True,
    }
    message.update(over)
    return message


def case_frames(name: str, output: Any = OUT, **over: Any) -> list[bytes]:
    frames = [_j(**case_message(name, **over))]
    if over.get("output", True):
        frames.append(b"W" + encode_tree(output))
    return frames


def failed_case(name: str, **over: Any) -> bytes:
    return _j(**case_message(name, error=ERROR, output=False, loop_matters=None, **over))


def test_executor_facts_then_cases_then_done() -> None:
    stream = executor_stream()
    stream.feed(
        facts_frame(1, op_count=30, loops=0, op_counts={"stablehlo.add": 29}, custom_calls=[])
    )
    feed_all(stream, case_frames("h0", {"y": OUT * 2}, loop_matters=None, time_ms=3))
    stream.feed(facts_frame(0))
    feed_all(stream, case_frames("v1"))
    stream.feed(failed_case("v2", time_ms=0.25))
    stream.feed(_j(t="done"))
    assert stream.final == "done"
    facts0 = ProgramFacts(
        op_count=12,
        op_counts={"stablehlo.while": 1, "stablehlo.add": 3},
        loops=1,
        custom_calls=("Sharding",),
    )
    assert stream.facts == {0: facts0, 1: ProgramFacts(30, {"stablehlo.add": 29}, 0, ())}
    v1, v2, h0 = (stream.cases[n] for n in ("v1", "v2", "h0"))
    np.testing.assert_array_equal(v1.output, OUT)
    assert v1.error is None and v1.time_ms == 1.5 and v1.loop_matters is True
    assert v1.facts == facts0 and v2.facts == facts0 and h0.facts == stream.facts[1]
    assert v2.output is None and v2.error is not None and v2.error.message == "bad shapes"
    assert v2.time_ms == 0.25 and v2.loop_matters is None
    np.testing.assert_array_equal(h0.output["y"], OUT * 2)
    assert h0.time_ms == 3.0 and isinstance(h0.time_ms, float) and h0.loop_matters is None


def test_a_refused_program_has_no_facts_and_no_cases() -> None:
    stream = executor_stream()
    stream.feed(_j(t="facts", sig=1, refused="the program calls a host callback"))
    assert stream.refused == {1: "the program calls a host callback"} and stream.facts == {}
    with pytest.raises(ProtocolViolation, match="before its program's facts"):
        stream.feed(failed_case("h0"))
    assert stream.cases == {}


def test_a_case_before_its_facts_is_a_violation() -> None:
    stream = executor_stream()
    stream.feed(facts_frame(1))  # the other signature's facts do not count
    with pytest.raises(ProtocolViolation, match="before its program's facts"):
        stream.feed(case_frames("v1")[0])
    assert stream.cases == {}


@pytest.mark.parametrize("name", ["nope", "", 0, None, ["v1"]])
def test_a_case_nobody_asked_for_is_a_violation(name: Any) -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    with pytest.raises(ProtocolViolation, match="unknown or repeated"):
        stream.feed(_j(**case_message(name)))
    assert stream.cases == {}


@pytest.mark.parametrize("first_failed", [False, True])
def test_a_repeated_case_is_a_violation(first_failed: bool) -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    if first_failed:
        stream.feed(failed_case("v1"))
    else:
        feed_all(stream, case_frames("v1"))
    with pytest.raises(ProtocolViolation, match="unknown or repeated"):
        stream.feed(failed_case("v1"))
    assert (stream.cases["v1"].error is not None) == first_failed


@pytest.mark.parametrize("sig", [2, -1, 7, "0", None, 0.5, [0]])
def test_facts_for_an_unknown_signature_are_a_violation(sig: Any) -> None:
    stream = executor_stream()
    with pytest.raises(ProtocolViolation, match="unknown signature"):
        stream.feed(facts_frame(sig))
    assert stream.facts == {} and stream.refused == {}


@pytest.mark.parametrize("second_refused", [False, True])
def test_facts_sent_twice_are_a_violation(second_refused: bool) -> None:
    for first in (facts_frame(0), _j(t="facts", sig=0, refused="no")):
        stream = executor_stream()
        stream.feed(first)
        again = _j(t="facts", sig=0, refused="no") if second_refused else facts_frame(0)
        with pytest.raises(ProtocolViolation, match="twice"):
            stream.feed(again)


@pytest.mark.parametrize(
    "over",
    [
        {"op_counts": None},
        {"op_counts": [["stablehlo.add", 1]]},
        {"op_counts": {f"op{i}": 1 for i in range(10_001)}},
        {"custom_calls": None},
        {"custom_calls": "Sharding"},
        {"custom_calls": [1]},
        {"refused": 1},
        {"refused": False},
    ],
)
def test_malformed_facts_are_a_violation(over: dict[str, Any]) -> None:
    stream = executor_stream()
    with pytest.raises(ProtocolViolation):
        stream.feed(facts_frame(0, **over))
    assert stream.facts == {} and stream.refused == {}


@pytest.mark.parametrize(
    "over",
    [
        {"output": False, "error": None},  # neither
        {"output": True, "error": ERROR},  # both
        {"output": 1},
        {"output": None},
        {"loop_matters": 1},
        {"loop_matters": "yes"},
        {"error": "it broke", "output": False},
    ],
)
def test_malformed_cases_are_a_violation(over: dict[str, Any]) -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(**case_message("v1", **over)))
    assert stream.cases == {}


def test_executor_output_frames_must_be_announced_and_decodable() -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    with pytest.raises(ProtocolViolation, match="nobody announced"):
        stream.feed(b"W" + encode_tree(OUT))
    stream.feed(failed_case("v1"))
    with pytest.raises(ProtocolViolation, match="nobody announced"):
        stream.feed(b"W" + encode_tree(OUT))
    stream.feed(case_frames("v2")[0])
    with pytest.raises(ProtocolViolation, match="undecodable"):
        stream.feed(b"W" + b"not a wire payload")
    assert "v2" not in stream.cases


@pytest.mark.parametrize("then", [_j(t="done"), facts_frame(1), _j(t="memory")])
def test_a_message_while_a_case_output_is_pending_is_a_violation(then: bytes) -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    stream.feed(case_frames("v1")[0])
    with pytest.raises(ProtocolViolation, match="never came"):
        stream.feed(then)
    assert stream.final is None and stream.cases == {}


def test_the_executor_sends_no_artifacts_and_the_runner_no_outputs() -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    stream.feed(case_frames("v1")[0])
    with pytest.raises(ProtocolViolation):
        stream.feed(b"B" + encode_tree(OUT))
    for message in (_j(t="too_large"), _j(t="load_error", error=ERROR)):
        with pytest.raises(ProtocolViolation, match="unknown message"):
            executor_stream().feed(message)
    runner = runner_stream(1)
    runner.feed(artifact_frames(0)[0])
    with pytest.raises(ProtocolViolation):
        runner.feed(b"W" + b"program")
    for message in (facts_frame(0), case_frames("v1")[0]):
        with pytest.raises(ProtocolViolation, match="unknown message"):
            runner_stream(1).feed(message)


@pytest.mark.parametrize("final", ["done", "memory"])
def test_executor_data_after_the_final_message_is_a_violation(final: str) -> None:
    stream = executor_stream()
    if final == "memory":  # "done" with a compiled program's cases missing is refused
        stream.feed(facts_frame(0))
    stream.feed(_j(t=final))
    for more in (facts_frame(1), *case_frames("v1"), _j(t="done")):
        with pytest.raises(ProtocolViolation, match="after the final"):
            stream.feed(more)
    assert stream.cases == {} and stream.final == final


def test_executor_output_over_the_cap_is_too_large_not_accepted() -> None:
    payload = encode_tree(np.zeros(64, np.float32))
    stream = ExecutorStream(case_sigs=CASE_SIGS, max_output_bytes=len(payload) + 10)
    stream.feed(ISOLATION)
    stream.feed(facts_frame(0))
    feed_all(stream, case_frames("v1", np.zeros(64, np.float32)))
    feed_all(stream, case_frames("v2", np.zeros(64, np.float32)))
    assert stream.final == "too_large" and list(stream.cases) == ["v1"]
    with pytest.raises(ProtocolViolation, match="after the final"):
        stream.feed(_j(t="done"))


# ---------------------------------------------------------------------------- progress


def progress(where: str = "student", line: int | None = 3) -> bytes:
    return _j(t="progress", where=where, line=line)


def test_progress_reports_anywhere_before_the_final_message_keep_the_last() -> None:
    stream = runner_stream(2)
    stream.feed(progress("other", None))
    feed_all(stream, artifact_frames(0))
    stream.feed(progress("tracing", 6))
    stream.feed(progress("tracing", 6))  # a repeat is harmless
    stream.feed(export_error(1))
    stream.feed(progress("student", 4))
    stream.feed(_j(t="done"))
    assert stream.final == "done" and len(stream.artifacts) == 2
    assert stream.last_progress == Progress(where="student", line=4)
    assert stream.progress_count == 4


def test_progress_after_a_load_error_is_fine() -> None:
    stream = runner_stream(1)
    stream.feed(_j(t="load_error", error=ERROR))
    stream.feed(progress("lowering", None))
    stream.feed(_j(t="done"))
    assert stream.last_progress == Progress(where="lowering", line=None)


def test_progress_before_the_isolation_report_or_after_the_final_is_a_violation() -> None:
    stream = RunnerStream(signatures=1)
    with pytest.raises(ProtocolViolation, match="isolation report must come first"):
        stream.feed(progress())
    stream = runner_stream(1)
    stream.feed(_j(t="memory"))
    with pytest.raises(ProtocolViolation, match="after the final"):
        stream.feed(progress())
    assert stream.last_progress is None


def test_progress_between_an_artifact_and_its_bytes_is_a_violation() -> None:
    stream = runner_stream(1)
    stream.feed(artifact_frames(0)[0])
    with pytest.raises(ProtocolViolation, match="never came"):
        stream.feed(progress())
    assert stream.last_progress is None


def test_the_executor_sends_no_progress() -> None:
    with pytest.raises(ProtocolViolation, match="unknown message"):
        executor_stream().feed(progress())


@pytest.mark.parametrize(
    "message",
    [
        {"t": "progress", "where": "passed", "line": 3},
        {"t": "progress", "where": "Student", "line": 3},
        {"t": "progress", "where": "", "line": None},
        {"t": "progress", "where": None, "line": None},
        {"t": "progress", "where": ["student"], "line": 1},
        {"t": "progress", "where": "student", "line": 0},
        {"t": "progress", "where": "student", "line": -3},
        {"t": "progress", "where": "student", "line": MAX_LINE + 1},
        {"t": "progress", "where": "student", "line": 3.0},
        {"t": "progress", "where": "student", "line": True},
        {"t": "progress", "where": "student", "line": "3"},
        {"t": "progress", "where": "student", "line": [3]},
        {"t": "progress", "where": "student"},
        {"t": "progress", "line": 3},
        {"t": "progress"},
        {"t": "progress", "where": "student", "line": 3, "verdict": "passed"},
        {"t": "progress", "where": "student", "line": 3, "score": 1},
    ],
)
def test_a_malformed_progress_report_is_a_violation(message: dict[str, Any]) -> None:
    stream = runner_stream(1)
    stream.feed(progress("tracing", 2))
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(**message))
    assert stream.last_progress == Progress(where="tracing", line=2)  # the bad one not kept
    assert stream.progress_count == 1


@pytest.mark.parametrize("literal", ["NaN", "1e999", "1" + "0" * 400, "3.5", str(MAX_LINE * 2)])
def test_bad_numbers_in_a_progress_line_are_violations(literal: str) -> None:
    stream = runner_stream(1)
    with pytest.raises(ProtocolViolation):
        stream.feed(
            _with_literal({"t": "progress", "where": "student", "line": PLACEHOLDER}, literal)
        )
    assert stream.last_progress is None


def test_progress_reports_are_bounded() -> None:
    stream = runner_stream(1)
    for n in range(MAX_PROGRESS):
        stream.feed(progress("student", n + 1))
    with pytest.raises(ProtocolViolation, match="progress reports"):
        stream.feed(progress("tracing", 1))
    assert stream.last_progress == Progress(where="student", line=MAX_PROGRESS)


def test_every_place_and_the_line_bounds_are_accepted() -> None:
    stream = runner_stream(1)
    for where in sorted(PROGRESS_WHERE):
        for line in (None, 1, MAX_LINE):
            stream.feed(progress(where, line))
            assert stream.last_progress == Progress(where=where, line=line)


# ---------------------------------------------------------------------------- frames


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"X{}",
        b"j{}",
        b'J{"t": "done"',
        b"J[]",
        b'J"done"',
        b"J\xff\xfe",
        b'J{"t": "done", "t": "memory"}',  # duplicate keys
        b"J" + b" " * (MAX_JSON_FRAME + 1),
        b'J{"t": "done", "x": NaN}',
        b'J{"t": "done", "x": 1e999}',
        b'J{"t": "done", "x": ' + b"9" * 400 + b"}",
        b'J{"t": null}',
        b'J{"t": ["done"]}',
        b'J{"t": "Done"}',
        b'J{"t": "\\ud800"}',
    ],
)
def test_malformed_frames_are_violations(data: bytes) -> None:
    for stream in (runner_stream(1), executor_stream()):
        with pytest.raises(ProtocolViolation):
            stream.feed(data)
        assert stream.final is None


# A literal that replaces a field's value in the JSON text: NaN and Infinity are not
# valid JSON, and 1e999 and a 400-digit integer cannot be written by json.dumps.
BAD_NUMBERS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e999",
    "1" + "0" * 400,
    str(2**53 + 1),
    str(MAX_COUNT + 1),
    "-1",
    "-0.5",
    "1.5",
    "1e300",
    '"1"',
    '""',
    "true",
    "[1]",
    '{"n": 1}',
]
NOT_NONE = ["null"]
PLACEHOLDER = "@@bad@@"


def _with_literal(message: dict[str, Any], literal: str) -> bytes:
    text = json.dumps(message)
    assert text.count(f'"{PLACEHOLDER}"') == 1
    return b"J" + text.replace(f'"{PLACEHOLDER}"', literal).encode()


def _err(**over: Any) -> dict[str, Any]:
    return {**ERROR, **over}


# field -> (which stream, a message with the bad value's place in it, what is fed before it,
# the literals to put there)
NUMERIC_FIELDS: dict[str, tuple[str, dict[str, Any], list[bytes], list[str]]] = {
    "artifact.sig": (
        "runner",
        {"t": "artifact", "sig": PLACEHOLDER, "error": None, "vmap_calls": 0, "bytes": 4},
        [],
        # false and 0.0 compare equal to the index 0: see test_artifact_sig_must_be_an_int
        [*BAD_NUMBERS, *NOT_NONE, "0.5", "2"],
    ),
    "artifact.bytes": (
        "runner",
        {"t": "artifact", "sig": 0, "error": None, "vmap_calls": 0, "bytes": PLACEHOLDER},
        [],
        BAD_NUMBERS + NOT_NONE + ["false", "4.0", str(MAX_ARTIFACT_BYTES + 1)],
    ),
    "artifact.vmap_calls": (
        "runner",
        {"t": "artifact", "sig": 0, "error": None, "vmap_calls": PLACEHOLDER, "bytes": 4},
        [],
        BAD_NUMBERS + NOT_NONE + ["false", "1.0"],
    ),
    "artifact.error.lineno": (
        "runner",
        {"t": "artifact", "sig": 0, "error": _err(lineno=PLACEHOLDER), "vmap_calls": 0, "bytes": 0},
        [],
        [*BAD_NUMBERS, "false", "3.0"],
    ),
    "load_error.lineno": (
        "runner",
        {"t": "load_error", "error": _err(lineno=PLACEHOLDER)},
        [],
        [*BAD_NUMBERS, "false", "3.0"],
    ),
    "facts.sig": (
        "executor",
        facts_message(PLACEHOLDER),
        [],
        [*BAD_NUMBERS, *NOT_NONE, "false", "0.0", "2"],
    ),
    "facts.op_count": (
        "executor",
        facts_message(0, op_count=PLACEHOLDER),
        [],
        [*BAD_NUMBERS, *NOT_NONE, "false", "12.0"],
    ),
    "facts.loops": (
        "executor",
        facts_message(0, loops=PLACEHOLDER),
        [],
        [*BAD_NUMBERS, *NOT_NONE, "false", "1.0"],
    ),
    "facts.op_counts[op]": (
        "executor",
        facts_message(0, op_counts={"stablehlo.add": PLACEHOLDER}),
        [],
        [*BAD_NUMBERS, *NOT_NONE, "false", "3.0"],
    ),
    "case.time_ms": (
        "executor",
        case_message("v1", time_ms=PLACEHOLDER),
        [facts_frame(0)],
        [lit for lit in BAD_NUMBERS if lit != "1.5"] + ["null", "false", str(MAX_TIME_MS * 10)],
    ),
    "case.error.lineno": (
        "executor",
        case_message("v1", error=_err(lineno=PLACEHOLDER), output=False),
        [facts_frame(0)],
        [*BAD_NUMBERS, "false", "3.0"],
    ),
}


@pytest.mark.parametrize(
    ("field", "literal"),
    [(field, lit) for field, (_, _, _, lits) in NUMERIC_FIELDS.items() for lit in lits],
)
def test_bad_numbers_in_every_numeric_field_are_violations(field: str, literal: str) -> None:
    role, message, before, _ = NUMERIC_FIELDS[field]
    stream = any_stream(role)
    feed_all(stream, before)
    with pytest.raises(ProtocolViolation):
        stream.feed(_with_literal(message, literal))
    # nothing of the message was kept
    if isinstance(stream, RunnerStream):
        assert stream.artifacts == [] and stream.load_error is None
        assert stream._pending is None
    else:
        assert stream.cases == {} and stream._pending is None
        assert len(stream.facts) == len(before) and stream.refused == {}


@pytest.mark.parametrize("field", list(NUMERIC_FIELDS))
def test_the_numeric_field_tests_start_from_a_valid_message(field: str) -> None:
    """The same message with a good value is accepted: the refusals above are the value's."""
    role, message, before, _ = NUMERIC_FIELDS[field]
    good = "0" if field.endswith(".sig") else "4" if field == "artifact.bytes" else "3"
    stream = any_stream(role)
    feed_all(stream, before)
    stream.feed(_with_literal(message, good))
    if isinstance(stream, RunnerStream):
        assert stream.artifacts or stream._pending is not None or stream.load_error is not None
    else:
        assert list(stream.facts) == [0]
        assert field.startswith("facts") or "v1" in stream.cases or stream._pending is not None


@pytest.mark.parametrize(
    ("role", "message", "before"),
    [
        ("runner", {"t": "artifact", "sig": 0, "error": None, "bytes": 4}, []),
        ("runner", {"t": "artifact", "sig": 0, "error": None, "vmap_calls": 0}, []),
        ("runner", {"t": "artifact", "error": None, "vmap_calls": 0, "bytes": 4}, []),
        ("runner", {"t": "load_error"}, []),
        ("executor", {k: v for k, v in facts_message(0).items() if k != "op_count"}, []),
        ("executor", {k: v for k, v in facts_message(0).items() if k != "loops"}, []),
        ("executor", {k: v for k, v in facts_message(0).items() if k != "op_counts"}, []),
        ("executor", {k: v for k, v in facts_message(0).items() if k != "sig"}, []),
        ("executor", {k: v for k, v in case_message("v1").items() if k != "time_ms"}, [0]),
        ("executor", {k: v for k, v in case_message("v1").items() if k != "output"}, [0]),
        ("executor", {k: v for k, v in case_message("v1").items() if k != "name"}, [0]),
        ("executor", {**case_message("v1"), "error": {"type": "E"}, "output": False}, [0]),
    ],
)
def test_missing_required_fields_are_violations(
    role: str, message: dict[str, Any], before: list[int]
) -> None:
    stream = any_stream(role)
    for sig in before:
        stream.feed(facts_frame(sig))
    with pytest.raises(ProtocolViolation):
        stream.feed(_j(**message))


@pytest.mark.parametrize("literal", ["false", "0.0"])
def test_artifact_sig_must_be_an_int(literal: str) -> None:
    stream = runner_stream(1)
    message = {"t": "artifact", "sig": PLACEHOLDER, "error": None, "vmap_calls": 0, "bytes": 4}
    with pytest.raises(ProtocolViolation):
        stream.feed(_with_literal(message, literal))


def test_untrusted_text_is_capped() -> None:
    long = {"type": "E" * 10_000, "message": "m" * 10_000, "lineno": 1, "traceback": "t" * 10_000}
    stream = runner_stream(1)
    stream.feed(_j(t="load_error", error=long))
    assert stream.load_error is not None
    assert len(stream.load_error.type) == MAX_TYPE
    assert len(stream.load_error.message) == MAX_MESSAGE
    assert len(stream.load_error.traceback) == MAX_TRACEBACK
    stream = executor_stream()
    stream.feed(_j(t="facts", sig=0, refused="r" * 10_000))
    assert len(stream.refused[0]) == MAX_MESSAGE


# ---------------------------------------------------------------------------- properties

# Values that a hostile process could put in any field.
NASTY = st.one_of(
    st.sampled_from(
        [
            float("nan"),
            float("inf"),
            float("-inf"),
            -1,
            -0.5,
            0,
            1,
            2,
            0.0,
            1.5,
            MAX_COUNT,
            MAX_COUNT + 1,
            2**53,
            2**53 + 1,
            10**30,
            MAX_TIME_MS,
            MAX_TIME_MS * 2,
            1e308,
            -1e308,
            True,
            False,
            None,
            "",
            "0",
            "v1",
            "h0",
            "nope",
            "\x00",
            [],
            [0],
            {},
            {"type": "E", "message": "m"},
            ERROR,
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
)

# A frame as a test builds it: a JSON message (a dict) or a whole binary frame.
Item = dict[str, Any] | bytes


def to_frames(items: list[Item]) -> list[bytes]:
    return [
        b"J" + json.dumps(item, allow_nan=True).encode() if isinstance(item, dict) else item
        for item in items
    ]


TEMPLATES: list[dict[str, Any]] = [
    {"t": "isolation", "seccomp": True},
    {"t": "load_error", "error": ERROR},
    {"t": "artifact", "sig": 0, "error": None, "vmap_calls": 0, "bytes": 4},
    {"t": "artifact", "sig": 1, "error": ERROR, "vmap_calls": 1, "bytes": 0},
    facts_message(0),
    {"t": "facts", "sig": 1, "refused": "no"},
    case_message("v1"),
    case_message("h0", error=ERROR, output=False, loop_matters=None),
    {"t": "done"},
    {"t": "memory"},
    {"t": "too_large", "bytes": 5},
    {"t": "progress", "where": "student", "line": 3},
    {"t": "progress", "where": "tracing", "line": None},
]


TYPED_FIELDS = {
    "where",
    "line",
    "sig",
    "bytes",
    "vmap_calls",
    "lineno",
    "op_count",
    "loops",
    "time_ms",
    "output",
    "loop_matters",
}


def _mutate_message(draw: st.DrawFn, message: dict[str, Any]) -> dict[str, Any]:
    """A nasty value in one field (nested ones too), a field dropped, or one added."""
    message = json.loads(json.dumps(message))  # a deep copy
    paths: list[tuple[str, ...]] = [(k,) for k in message]
    for key in ("error", "op_counts"):
        if isinstance(message.get(key), dict):
            paths += [(key, sub) for sub in message[key]]
    # the fields with a number or a flag in them, twice as often
    paths += [p for p in paths if p[-1] in TYPED_FIELDS or p[0] == "op_counts"]
    op = draw(st.sampled_from([0, 0, 0, 1, 2]))
    if op == 2 or not paths:
        message[draw(st.sampled_from(["t", "sig", "x", "bytes", "error", "time_ms"]))] = draw(NASTY)
        return message
    path = draw(st.sampled_from(paths))
    parent = message if len(path) == 1 else message[path[0]]
    if op == 0:
        parent[path[-1]] = draw(NASTY)
    else:
        del parent[path[-1]]
    return message


@st.composite
def random_item(draw: st.DrawFn) -> Item:
    """A frame from nowhere: a mutated message of any kind, or any binary frame."""
    if draw(st.booleans()):
        return _mutate_message(draw, draw(st.sampled_from(TEMPLATES)))
    kind = draw(st.sampled_from([b"B", b"W", b"J", b"X", b""]))
    body = draw(
        st.one_of(
            st.binary(max_size=16),
            st.just(b"prog"),  # the size the artifact template announces
            st.just(encode_tree(OUT)),
            st.just(encode_tree({"y": [OUT, OUT]})),
            st.builds(lambda n: encode_tree(np.zeros(n, np.float32)), st.integers(0, 8)),
        )
    )
    return kind + body


def _mangle(draw: st.DrawFn, data: bytes) -> bytes:
    """A frame with bytes flipped, cut or inserted."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.integers(0, 2))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if op == 0 and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == 1:
            del out[at:]
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(out)


@st.composite
def mutated(draw: st.DrawFn, items: list[Item]) -> list[bytes]:
    """An honest stream with (mostly) one bad field, and a few frames dropped, repeated,
    moved, mangled or added: the stream gets far before it sees what is wrong."""
    items = list(items)
    if draw(st.integers(0, 3)):
        i = draw(st.sampled_from([i for i, item in enumerate(items) if isinstance(item, dict)]))
        items[i] = _mutate_message(draw, items[i])  # type: ignore[arg-type]
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(items) - 1))
        j = draw(st.integers(0, len(items) - 1))
        op = draw(st.integers(0, 5))
        if op == 0 and isinstance(items[i], dict):
            items[i] = _mutate_message(draw, items[i])  # type: ignore[arg-type]
        elif op == 1 and len(items) > 1:
            del items[i]
        elif op == 2:
            items.insert(i, items[j])
        elif op == 3:
            items[i], items[j] = items[j], items[i]
        elif op == 4:
            items[i] = _mangle(draw, to_frames([items[i]])[0])
        else:
            items.insert(i, draw(random_item()))
    return to_frames(items)


@st.composite
def honest_runner(draw: st.DrawFn) -> tuple[int, list[Item], list[bytes | None] | None]:
    """What an honest runner sends: an artifact or an export error per signature (or a
    load error), then done. Also returns the payloads (None: the load error)."""
    signatures = draw(st.integers(1, 5))
    items: list[Item] = [{"t": "isolation", "seccomp": True}]

    def maybe_progress() -> None:
        # The watchdog's reports, between whole messages (never inside an artifact).
        if draw(st.integers(0, 3)) == 0:
            where = draw(st.sampled_from(sorted(PROGRESS_WHERE)))
            line = draw(st.none() | st.integers(1, MAX_LINE))
            items.append({"t": "progress", "where": where, "line": line})

    maybe_progress()
    if draw(st.integers(0, 5)) == 0:
        error = _err(lineno=draw(st.none() | st.integers(0, 99)))
        items.append({"t": "load_error", "error": error})
        maybe_progress()
        return signatures, [*items, {"t": "done"}], None
    payloads: list[bytes | None] = []
    for sig in range(signatures):
        maybe_progress()
        if draw(st.booleans()):
            data = draw(st.binary(min_size=1, max_size=40))
            head = {"t": "artifact", "sig": sig, "error": None, "bytes": len(data)}
            items += [{**head, "vmap_calls": draw(st.integers(0, 5))}, b"B" + data]
            payloads.append(data)
        else:
            error = _err(lineno=draw(st.none() | st.integers(0, 99)))
            items.append({"t": "artifact", "sig": sig, "error": error, "vmap_calls": 0, "bytes": 0})
            payloads.append(None)
    items.append({"t": "done"})
    return signatures, items, payloads


@st.composite
def honest_executor(draw: st.DrawFn) -> tuple[dict[str, int], list[Item], set[int]]:
    """What an honest executor sends: facts (or a refusal) per signature, in any order,
    each followed by its cases, then done. Also returns the refused signatures."""
    signatures = draw(st.integers(1, 4))
    names = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6, unique=True))
    case_sigs = {name: draw(st.integers(0, signatures - 1)) for name in names}
    items: list[Item] = [{"t": "isolation", "seccomp": True}]
    refused = set()
    for sig in draw(st.permutations(sorted(set(case_sigs.values())))):
        if draw(st.integers(0, 4)) == 0:
            items.append({"t": "facts", "sig": sig, "refused": "too big"})
            refused.add(sig)
            continue
        items.append(facts_message(sig, op_count=draw(st.integers(0, MAX_COUNT))))
        for name in [n for n, s in case_sigs.items() if s == sig]:
            time_ms = draw(st.floats(0, MAX_TIME_MS, allow_nan=False))
            if draw(st.booleans()):
                items.append(case_message(name, time_ms=time_ms))
                items.append(b"W" + encode_tree(OUT + len(name)))
            else:
                items.append(
                    case_message(
                        name, error=ERROR, output=False, loop_matters=None, time_ms=time_ms
                    )
                )
    items.append({"t": "done"})
    return case_sigs, items, refused


def _feed_only_violations(stream: RunnerStream | ExecutorStream, frames: list[bytes]) -> None:
    """Feed every frame (a violation does not stop the worker reading); only
    ProtocolViolation may escape."""
    for data in frames:
        with contextlib.suppress(ProtocolViolation):
            stream.feed(data)


def _assert_error_well_formed(error: RawStudentError | None) -> None:
    if error is None:
        return
    assert isinstance(error.type, str) and len(error.type) <= MAX_TYPE
    assert isinstance(error.message, str) and len(error.message) <= MAX_MESSAGE
    assert isinstance(error.traceback, str) and len(error.traceback) <= MAX_TRACEBACK
    assert error.lineno is None or (type(error.lineno) is int and 0 <= error.lineno <= MAX_COUNT)


def _count(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_COUNT


def _assert_runner_well_formed(stream: RunnerStream, relayed: list[ArtifactMessage]) -> None:
    assert stream.final in (None, "done", "memory", "too_large")
    assert stream.isolation is None or isinstance(stream.isolation, dict)
    assert [a.sig for a in stream.artifacts] == list(range(len(stream.artifacts)))
    assert all(type(a.sig) is int for a in stream.artifacts)
    assert len(stream.artifacts) <= stream.signatures
    assert relayed == stream.artifacts
    assert not (stream.load_error is not None and stream.artifacts)
    _assert_error_well_formed(stream.load_error)
    for item in stream.artifacts:
        assert _count(item.vmap_calls) and _count(item.size)
        _assert_error_well_formed(item.error)
        if item.error is None:
            assert 0 < item.size <= MAX_ARTIFACT_BYTES and len(item.data) == item.size
        else:
            assert item.size == 0 and item.data == b""
    if stream.final == "done" and stream.load_error is None:
        assert len(stream.artifacts) == stream.signatures
    assert 0 <= stream.progress_count <= MAX_PROGRESS
    if stream.last_progress is not None:
        assert stream.last_progress.where in PROGRESS_WHERE
        line = stream.last_progress.line
        assert line is None or (type(line) is int and 1 <= line <= MAX_LINE)


def _assert_executor_well_formed(stream: ExecutorStream) -> None:
    assert stream.final in (None, "done", "memory", "too_large")
    sigs = set(stream.case_sigs.values())
    assert set(stream.facts) <= sigs and set(stream.refused) <= sigs
    assert not set(stream.facts) & set(stream.refused)
    assert all(isinstance(r, str) and len(r) <= MAX_MESSAGE for r in stream.refused.values())
    for facts in stream.facts.values():
        assert _count(facts.op_count) and _count(facts.loops)
        assert all(isinstance(k, str) and _count(v) for k, v in facts.op_counts.items())
        assert all(isinstance(c, str) for c in facts.custom_calls)
    for name, case in stream.cases.items():
        assert case.name == name and name in stream.case_sigs
        assert case.facts is stream.facts[stream.case_sigs[name]]
        assert type(case.time_ms) is float and math.isfinite(case.time_ms)
        assert 0 <= case.time_ms <= MAX_TIME_MS
        assert case.loop_matters is None or type(case.loop_matters) is bool
        assert (case.error is None) != (case.output is None)
        _assert_error_well_formed(case.error)


RANDOM_FRAMES = st.lists(
    st.one_of(
        random_item().map(lambda item: to_frames([item])[0]),
        st.builds(lambda d: d, st.binary(max_size=32)),
    ),
    max_size=14,
)


@FUZZ
@given(frames=RANDOM_FRAMES, isolated=st.booleans(), signatures=st.integers(0, 3))
@example(frames=[b'J{"t": "artifact", "sig": 0, "vmap_calls": NaN}'], isolated=True, signatures=1)
@example(frames=[b'J{"t": "artifact", "sig": 0, "bytes": 1e999}'], isolated=True, signatures=1)
def test_random_frames_into_the_runner_stream_raise_only_protocol_violations(
    frames: list[bytes], isolated: bool, signatures: int
) -> None:
    relayed: list[ArtifactMessage] = []
    stream = RunnerStream(signatures=signatures, max_output_bytes=64, on_artifact=relayed.append)
    _feed_only_violations(stream, [ISOLATION] * isolated + frames)
    _assert_runner_well_formed(stream, relayed)


@FUZZ
@given(frames=RANDOM_FRAMES, isolated=st.booleans())
@example(frames=[facts_frame(0), b'J{"t": "case", "name": "v1", "time_ms": NaN}'], isolated=True)
@example(frames=[facts_frame(0, op_count=-1), facts_frame(0, loops=2**60)], isolated=True)
def test_random_frames_into_the_executor_stream_raise_only_protocol_violations(
    frames: list[bytes], isolated: bool
) -> None:
    stream = ExecutorStream(case_sigs=dict(CASE_SIGS), max_output_bytes=256)
    _feed_only_violations(stream, [ISOLATION] * isolated + frames)
    _assert_executor_well_formed(stream)


@MUTATIONS
@given(run=honest_runner(), data=st.data())
def test_a_mutated_runner_stream_raises_only_protocol_violations(
    run: tuple[int, list[Item], list[bytes | None] | None], data: st.DataObject
) -> None:
    signatures, items, _ = run
    relayed: list[ArtifactMessage] = []
    stream = RunnerStream(signatures=signatures, max_output_bytes=96, on_artifact=relayed.append)
    _feed_only_violations(stream, data.draw(mutated(items)))
    _assert_runner_well_formed(stream, relayed)


@MUTATIONS
@given(run=honest_executor(), data=st.data())
def test_a_mutated_executor_stream_raises_only_protocol_violations(
    run: tuple[dict[str, int], list[Item], set[int]], data: st.DataObject
) -> None:
    case_sigs, items, _ = run
    stream = ExecutorStream(case_sigs=case_sigs, max_output_bytes=1024)
    _feed_only_violations(stream, data.draw(mutated(items)))
    _assert_executor_well_formed(stream)


@FUZZ
@given(run=honest_runner())
def test_an_honest_runner_stream_is_accepted_whole(
    run: tuple[int, list[Item], list[bytes | None] | None],
) -> None:
    """The parser is not merely refusing everything: honest streams decode exactly."""
    signatures, items, payloads = run
    relayed: list[ArtifactMessage] = []
    stream = RunnerStream(signatures=signatures, on_artifact=relayed.append)
    feed_all(stream, to_frames(items))
    assert stream.final == "done"
    reports = [i for i in items if isinstance(i, dict) and i["t"] == "progress"]
    assert stream.progress_count == len(reports)
    if reports:
        assert stream.last_progress == Progress(reports[-1]["where"], reports[-1]["line"])
    else:
        assert stream.last_progress is None
    if payloads is None:
        assert stream.load_error is not None and stream.artifacts == []
    else:
        assert [a.data or None for a in stream.artifacts] == payloads
        assert [a.error is None for a in stream.artifacts] == [p is not None for p in payloads]
    _assert_runner_well_formed(stream, relayed)


@FUZZ
@given(run=honest_executor())
def test_an_honest_executor_stream_is_accepted_whole(
    run: tuple[dict[str, int], list[Item], set[int]],
) -> None:
    case_sigs, items, refused = run
    stream = ExecutorStream(case_sigs=case_sigs)
    feed_all(stream, to_frames(items))
    assert stream.final == "done" and set(stream.refused) == refused
    assert set(stream.cases) == {n for n, s in case_sigs.items() if s not in refused}
    for name, case in stream.cases.items():
        if case.output is not None:
            np.testing.assert_array_equal(case.output, OUT + len(name))
    _assert_executor_well_formed(stream)


def test_executor_done_before_every_case_of_a_compiled_program_is_a_violation() -> None:
    stream = executor_stream()
    stream.feed(facts_frame(0))
    for frame in case_frames("v1"):  # v2 shares signature 0 and never comes
        stream.feed(frame)
    with pytest.raises(ProtocolViolation, match="every case"):
        stream.feed(_j(t="done"))
    assert stream.final is None


def test_executor_done_is_fine_for_a_refused_program_without_cases() -> None:
    stream = executor_stream()
    stream.feed(_j(t="facts", sig=0, refused="custom call 'x' is not allowed"))
    stream.feed(facts_frame(1))
    for frame in case_frames("h0"):
        stream.feed(frame)
    stream.feed(_j(t="done"))
    assert stream.final == "done" and set(stream.cases) == {"h0"}
