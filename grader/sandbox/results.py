"""Trusted parsing of what a sandboxed child sent on its result channel.

Everything here is untrusted input: frames must arrive in the order the child code
sends them (see :mod:`grader.sandbox.child`), every field is type- and size-checked,
and arrays are decoded strictly by :mod:`grader.wire`. Any deviation is a
:class:`ProtocolViolation`, which the runner turns into a ``crashed`` outcome.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from grader import wire
from grader.sandbox.protocol import CaseOutcome, JaxprFacts, RawStudentError, RunRequest

MAX_JSON_FRAME = 256 * 1024
MAX_TYPE = 200
MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000
MAX_PRIMITIVES = 10_000


class ProtocolViolation(Exception):
    """The child's result stream is not what the child code sends."""


def _str(value: Any, cap: int, what: str) -> str:
    if not isinstance(value, str):
        raise ProtocolViolation(f"{what} is not a string")
    return value[:cap]


def _int(value: Any, what: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int or value < 0:
        raise ProtocolViolation(f"{what} is not a non-negative int")
    return int(value)


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


class ResultStream:
    """Consumes frames in order and accumulates the run's facts."""

    def __init__(self, request: RunRequest, *, max_output_bytes: int) -> None:
        self.visible_names = [name for name, _ in request.cases]
        self.hidden_names = [name for name, _ in request.hidden_cases]
        self.case_names = self.visible_names + self.hidden_names
        self.probe_names = [name for name, _ in request.probes]
        self.max_output_bytes = max_output_bytes
        self.output_bytes = 0
        self.isolation: dict[str, Any] | None = None
        self.load_error: RawStudentError | None = None
        self.facts: dict[str, JaxprFacts] = {}
        self.cases: list[CaseOutcome] = []
        self.final: str | None = None  # "done", "memory", "too_large"
        # Set by ``visible_done``: every probe and visible case result has been received
        # and decoded, and the worker may now send the hidden cases' inputs.
        self.visible_done = False
        self._pending_case: CaseOutcome | None = None

    def feed(self, data: bytes) -> None:
        if self.final is not None:
            raise ProtocolViolation(f"data after the final {self.final!r} message")
        kind, body = data[:1], data[1:]
        if kind == b"W":
            self._tree(body)
            return
        if kind != b"J" or len(body) > MAX_JSON_FRAME:
            raise ProtocolViolation("unknown or oversized frame")
        if self._pending_case is not None:
            raise ProtocolViolation("a case announced an output that never came")
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            raise ProtocolViolation("a message is not JSON") from None
        if not isinstance(message, dict):
            raise ProtocolViolation("a message is not an object")
        tag = message.get("t")
        if self.isolation is None:
            if tag != "isolation":
                raise ProtocolViolation("the isolation report must come first")
            self.isolation = {k: v for k, v in message.items() if k != "t"}
            return
        handler = {
            "load_error": self._load_error,
            "facts": self._facts,
            "case": self._case,
            "visible_done": self._visible_done,
            "done": self._done,
            "memory": self._final,
            "too_large": self._final,
        }.get(str(tag))
        if handler is None:
            raise ProtocolViolation(f"unknown message {tag!r}")
        handler(message)

    def _load_error(self, message: dict[str, Any]) -> None:
        if self.facts or self.cases or self.load_error is not None or self.visible_done:
            raise ProtocolViolation("load_error after the code was loaded")
        self.load_error = parse_error(message.get("error"))
        if self.load_error is None:
            raise ProtocolViolation("load_error without an error")

    def _facts(self, message: dict[str, Any]) -> None:
        index = len(self.facts)
        if self.load_error or self.cases or index >= len(self.probe_names):
            raise ProtocolViolation("unexpected facts")
        name = message.get("name")
        if name != self.probe_names[index]:
            raise ProtocolViolation("facts for the wrong probe")
        primitives = message.get("primitives")
        if not isinstance(primitives, dict) or len(primitives) > MAX_PRIMITIVES:
            raise ProtocolViolation("bad primitives")
        counts = {
            _str(k, MAX_TYPE, "primitive"): _int(v, "primitive count") or 0
            for k, v in primitives.items()
        }
        self.facts[name] = JaxprFacts(
            eqn_count=_int(message.get("eqn_count"), "eqn_count") or 0,
            primitives=counts,
            vmap_calls=_int(message.get("vmap_calls"), "vmap_calls") or 0,
            error=parse_error(message.get("error")),
        )

    def _case(self, message: dict[str, Any]) -> None:
        index = len(self.cases)
        if self.load_error or len(self.facts) != len(self.probe_names):
            raise ProtocolViolation("case before every probe was traced")
        if index >= len(self.case_names) or message.get("name") != self.case_names[index]:
            raise ProtocolViolation("case out of order")
        if index >= len(self.visible_names) and not self.visible_done:
            raise ProtocolViolation("a hidden case before visible_done")
        time_ms = message.get("time_ms")
        if not isinstance(time_ms, int | float) or time_ms < 0:
            raise ProtocolViolation("bad case time")
        error = parse_error(message.get("error"))
        has_output = message.get("output")
        if has_output is not True and has_output is not False:
            raise ProtocolViolation("bad output flag")
        if has_output == (error is not None):
            raise ProtocolViolation("a case has both or neither of output and error")
        case = CaseOutcome(name=self.case_names[index], error=error, time_ms=float(time_ms))
        if has_output:
            self._pending_case = case
        else:
            self.cases.append(case)

    def _tree(self, body: bytes) -> None:
        case = self._pending_case
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
        self._pending_case = None
        self.cases.append(dataclasses.replace(case, output=output))

    def _visible_done(self, message: dict[str, Any]) -> None:
        if (
            not self.hidden_names
            or self.visible_done
            or self.load_error is not None
            or len(self.facts) != len(self.probe_names)
            or len(self.cases) != len(self.visible_names)
        ):
            raise ProtocolViolation("unexpected visible_done")
        self.visible_done = True

    def _done(self, message: dict[str, Any]) -> None:
        if self.load_error is None and len(self.cases) != len(self.case_names):
            raise ProtocolViolation("done before every case ran")
        self.final = "done"

    def _final(self, message: dict[str, Any]) -> None:
        self.final = str(message["t"])
