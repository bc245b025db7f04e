"""Trusted parsing of what the sandboxed runner and executor send on their result channels.

Everything here is untrusted input: frames must arrive in the order the sandboxed code
sends them (see :mod:`grader.sandbox.child` and :mod:`grader.sandbox.executor`), JSON is
parsed strictly (no NaN/Infinity, bounded numbers), every field is type- and size-checked,
and arrays are decoded by :mod:`grader.wire`. Any deviation, and any exception at all
while parsing, is a :class:`ProtocolViolation`, which becomes the student's verdict
("your program produced malformed output"), never a platform fault.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader import wire
from grader.artifact import MAX_ARTIFACT_BYTES
from grader.sandbox.protocol import CaseOutcome, ProgramFacts, RawStudentError

MAX_JSON_FRAME = 256 * 1024
MAX_TYPE = 200
MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000
MAX_OP_KINDS = 10_000
MAX_COUNT = 1 << 40
MAX_TIME_MS = 1e9
# Progress reports from the runner's watchdog (grader.sandbox.child.ProgressWatchdog).
MAX_PROGRESS = 64
MAX_LINE = 1 << 20  # far beyond the line count of any source under the size cap
PROGRESS_WHERE = frozenset({"student", "tracing", "lowering", "other"})
_PROGRESS_KEYS = frozenset({"t", "where", "line"})


class ProtocolViolation(Exception):
    """A sandboxed process's result stream is not what the sandbox code sends."""


def _str(value: Any, cap: int, what: str) -> str:
    if not isinstance(value, str):
        raise ProtocolViolation(f"{what} is not a string")
    return value[:cap]


def _int(value: Any, what: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise ProtocolViolation(f"{what} is not a bounded non-negative int")
    return int(value)


def _time(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or not 0 <= value <= MAX_TIME_MS:
        raise ProtocolViolation("bad time")
    return float(value)


def _bool_or_none(value: Any, what: str) -> bool | None:
    if value is not None and type(value) is not bool:
        raise ProtocolViolation(f"{what} is not a bool")
    return value


def parse_error(value: Any) -> RawStudentError | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ProtocolViolation("error is not an object")
    return RawStudentError(
        type=_str(value.get("type"), MAX_TYPE, "error type"),
        message=_str(value.get("message"), MAX_MESSAGE, "error message"),
        lineno=_int(value.get("lineno"), "lineno", optional=True),
        traceback=_str(value.get("traceback", ""), MAX_TRACEBACK, "traceback"),
    )


class _Stream:
    """Frames in order; subclasses handle the JSON messages and binary payloads."""

    binary_kind = b""

    def __init__(self) -> None:
        self.isolation: dict[str, Any] | None = None
        self.final: str | None = None  # "done", "memory", "too_large"

    def feed(self, data: bytes) -> None:
        try:
            self._feed(data)
        except ProtocolViolation:
            raise
        except Exception as exc:  # anything malformed is the student's, never ours
            raise ProtocolViolation(f"malformed message ({type(exc).__name__})") from None

    def _feed(self, data: bytes) -> None:
        if self.final is not None:
            raise ProtocolViolation(f"data after the final {self.final!r} message")
        kind, body = data[:1], data[1:]
        if kind == self.binary_kind:
            self._binary(body)
            return
        if kind != b"J" or len(body) > MAX_JSON_FRAME:
            raise ProtocolViolation("unknown or oversized frame")
        self._expect_no_binary()
        try:
            message = wire.loads_strict(body)
        except wire.WireError:
            raise ProtocolViolation("a message is not strict JSON") from None
        if not isinstance(message, dict):
            raise ProtocolViolation("a message is not an object")
        tag = message.get("t")
        if self.isolation is None:
            if tag != "isolation":
                raise ProtocolViolation("the isolation report must come first")
            self.isolation = {k: v for k, v in message.items() if k != "t"}
            return
        handler = self._handlers().get(str(tag))
        if handler is None:
            raise ProtocolViolation(f"unknown message {str(tag)[:40]!r}")
        handler(message)

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        raise NotImplementedError

    def _binary(self, body: bytes) -> None:
        raise ProtocolViolation("unexpected binary frame")

    def _expect_no_binary(self) -> None:
        """Raise if a binary payload was announced and has not come."""

    def _memory(self, message: dict[str, Any]) -> None:
        self.final = "memory"


@dataclass(frozen=True)
class Progress:
    """The runner's latest guess at where it was busy (untrusted: wording of advice only)."""

    where: str  # one of PROGRESS_WHERE
    line: int | None  # the innermost line of the student's file, if any


@dataclass
class ArtifactMessage:
    sig: int
    error: RawStudentError | None
    vmap_calls: int
    size: int
    data: bytes = b""


@dataclass
class RunnerStream(_Stream):
    """The runner: load_error, or one artifact (or export error) per signature, in order;
    progress reports anywhere before the final message (only the last one is kept)."""

    signatures: int = 0
    max_output_bytes: int = 1 << 25
    load_error: RawStudentError | None = None
    artifacts: list[ArtifactMessage] = field(default_factory=list)
    output_bytes: int = 0
    # Called with each complete artifact message as soon as it is decoded.
    on_artifact: Callable[[ArtifactMessage], None] | None = None
    # The runner's word about where it was last busy: it may word a timeout, nothing else.
    last_progress: Progress | None = None
    progress_count: int = 0
    _pending: ArtifactMessage | None = None

    binary_kind = b"B"

    def __post_init__(self) -> None:
        _Stream.__init__(self)

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return {
            "load_error": self._load_error,
            "artifact": self._artifact,
            "done": self._done,
            "memory": self._memory,
            "too_large": self._too_large,
            "progress": self._progress,
        }

    def _expect_no_binary(self) -> None:
        if self._pending is not None:
            raise ProtocolViolation("an artifact was announced and never came")

    def _progress(self, message: dict[str, Any]) -> None:
        if set(message) != _PROGRESS_KEYS:
            raise ProtocolViolation("a progress report with missing or extra fields")
        if self.progress_count >= MAX_PROGRESS:
            raise ProtocolViolation(f"more than {MAX_PROGRESS} progress reports")
        where, line = message["where"], message["line"]
        if not isinstance(where, str) or where not in PROGRESS_WHERE:
            raise ProtocolViolation("a progress report from an unknown place")
        if line is not None and (type(line) is not int or not 1 <= line <= MAX_LINE):
            raise ProtocolViolation("a progress report with a bad line number")
        self.progress_count += 1
        self.last_progress = Progress(where=where, line=line)

    def _load_error(self, message: dict[str, Any]) -> None:
        if self.artifacts or self.load_error is not None:
            raise ProtocolViolation("load_error after the code was loaded")
        self.load_error = parse_error(message.get("error"))
        if self.load_error is None:
            raise ProtocolViolation("load_error without an error")

    def _artifact(self, message: dict[str, Any]) -> None:
        if self.load_error is not None:
            raise ProtocolViolation("an artifact after load_error")
        index = len(self.artifacts)
        sig = message.get("sig")
        if type(sig) is not int or sig != index or index >= self.signatures:
            raise ProtocolViolation("artifact out of order")
        error = parse_error(message.get("error"))
        size = _int(message.get("bytes"), "artifact size") or 0
        if size > MAX_ARTIFACT_BYTES:
            raise ProtocolViolation(f"an artifact is larger than {MAX_ARTIFACT_BYTES} bytes")
        if (error is None) == (size == 0):
            raise ProtocolViolation("an artifact has both or neither of bytes and error")
        item = ArtifactMessage(
            sig=index,
            error=error,
            vmap_calls=_int(message.get("vmap_calls"), "vmap_calls") or 0,
            size=size,
        )
        if size:
            self._pending = item
        else:
            self._accept(item)

    def _binary(self, body: bytes) -> None:
        item = self._pending
        if item is None or len(body) != item.size:
            raise ProtocolViolation("an artifact payload nobody announced")
        self.output_bytes += len(body)
        if self.output_bytes > self.max_output_bytes:
            self.final = "too_large"
            return
        self._pending = None
        item.data = body
        self._accept(item)

    def _accept(self, item: ArtifactMessage) -> None:
        self.artifacts.append(item)
        if self.on_artifact is not None:
            self.on_artifact(item)

    def _done(self, message: dict[str, Any]) -> None:
        if self.load_error is None and len(self.artifacts) != self.signatures:
            raise ProtocolViolation("done before every signature was exported")
        self.final = "done"

    def _too_large(self, message: dict[str, Any]) -> None:
        self.final = "too_large"


@dataclass
class ExecutorStream(_Stream):
    """The executor: facts per signature, then its cases; ``done`` once all are in."""

    case_sigs: dict[str, int] = field(default_factory=dict)  # case name -> signature
    max_output_bytes: int = 1 << 25
    facts: dict[int, ProgramFacts] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)
    cases: dict[str, CaseOutcome] = field(default_factory=dict)
    output_bytes: int = 0
    _pending: CaseOutcome | None = None

    binary_kind = b"W"

    def __post_init__(self) -> None:
        _Stream.__init__(self)

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return {
            "facts": self._facts,
            "case": self._case,
            "done": self._done,
            "memory": self._memory,
        }

    def _expect_no_binary(self) -> None:
        if self._pending is not None:
            raise ProtocolViolation("a case announced an output that never came")

    def _facts(self, message: dict[str, Any]) -> None:
        sig = message.get("sig")
        if type(sig) is not int or sig not in set(self.case_sigs.values()):
            raise ProtocolViolation("facts for an unknown signature")
        if sig in self.facts or sig in self.refused:
            raise ProtocolViolation("facts sent twice")
        refused = message.get("refused")
        if refused is not None:
            self.refused[sig] = _str(refused, MAX_MESSAGE, "refusal")
            return
        counts = message.get("op_counts")
        if not isinstance(counts, dict) or len(counts) > MAX_OP_KINDS:
            raise ProtocolViolation("bad op_counts")
        calls = message.get("custom_calls")
        if not isinstance(calls, list) or len(calls) > MAX_OP_KINDS:
            raise ProtocolViolation("bad custom_calls")
        self.facts[sig] = ProgramFacts(
            op_count=_int(message.get("op_count"), "op_count") or 0,
            op_counts={
                _str(k, MAX_TYPE, "op name"): _int(v, "op count") or 0 for k, v in counts.items()
            },
            loops=_int(message.get("loops"), "loops") or 0,
            custom_calls=tuple(_str(c, MAX_TYPE, "custom call") for c in calls),
        )

    def _case(self, message: dict[str, Any]) -> None:
        name = message.get("name")
        if not isinstance(name, str) or name not in self.case_sigs or name in self.cases:
            raise ProtocolViolation("an unknown or repeated case")
        sig = self.case_sigs[name]
        if sig not in self.facts:
            raise ProtocolViolation("a case before its program's facts")
        error = parse_error(message.get("error"))
        has_output = message.get("output")
        if type(has_output) is not bool or has_output == (error is not None):
            raise ProtocolViolation("a case has both or neither of output and error")
        case = CaseOutcome(
            name=name,
            error=error,
            time_ms=_time(message.get("time_ms")),
            facts=self.facts[sig],
            loop_matters=_bool_or_none(message.get("loop_matters"), "loop_matters"),
        )
        if has_output:
            self._pending = case
        else:
            self.cases[name] = case

    def _binary(self, body: bytes) -> None:
        case = self._pending
        if case is None:
            raise ProtocolViolation("an array payload nobody announced")
        self.output_bytes += len(body)
        if self.output_bytes > self.max_output_bytes:
            self.final = "too_large"
            return
        try:
            output = wire.decode_tree(body, max_bytes=self.max_output_bytes)
        except wire.WireError as exc:
            raise ProtocolViolation(f"undecodable output: {exc}") from None
        self._pending = None
        self.cases[case.name] = CaseOutcome(
            name=case.name,
            output=output,
            time_ms=case.time_ms,
            facts=case.facts,
            loop_matters=case.loop_matters,
        )

    def _done(self, message: dict[str, Any]) -> None:
        missing = [
            name
            for name, sig in self.case_sigs.items()
            if sig in self.facts and name not in self.cases
        ]
        if missing:
            raise ProtocolViolation("done before every case of a compiled program ran")
        self.final = "done"
