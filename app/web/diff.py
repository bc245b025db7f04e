"""A line diff of two attempts' code, shaped for the attempt page (a view model: no
queries, no HTML). The template renders it autoescaped: the code is untrusted text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

CONTEXT_LINES = 3
_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del" or "ctx"
    text: str
    old_no: int | None
    new_no: int | None

    @property
    def marker(self) -> str:
        return {"add": "+", "del": "-"}.get(self.kind, " ")


@dataclass(frozen=True)
class DiffHunk:
    header: str  # "@@ -1,4 +1,5 @@"
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: list[DiffLine]

    @property
    def description(self) -> str:
        """The header in words, for screen readers."""
        return (
            f"Lines {_span(self.old_start, self.old_count)} before, "
            f"{_span(self.new_start, self.new_count)} after"
        )


@dataclass(frozen=True)
class CodeDiff:
    hunks: list[DiffHunk]
    added: int
    removed: int
    identical: bool  # the code is exactly the same

    @property
    def only_line_endings(self) -> bool:
        """Different code, but not line by line: only CRLF or the final newline changed."""
        return not self.identical and not self.hunks


def _span(start: int, count: int) -> str:
    if count == 0:
        return f"none (after line {start})"
    if count == 1:
        return str(start)
    return f"{start} to {start + count - 1}"


def _lines(code: str) -> list[str]:
    """Lines split on newlines only (not on form feeds or U+2028 the way
    ``str.splitlines`` does), CRLF as LF, no empty last line for a final newline."""
    lines = code.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def code_diff(before: str, after: str, *, context: int = CONTEXT_LINES) -> CodeDiff:
    """The unified diff (``difflib``, ``context`` lines around each change) of ``before``
    -> ``after``, with the line numbers on both sides."""
    if before == after:
        return CodeDiff(hunks=[], added=0, removed=0, identical=True)
    raw = difflib.unified_diff(_lines(before), _lines(after), n=context, lineterm="")
    hunks: list[DiffHunk] = []
    lines: list[DiffLine] = []
    old_no = new_no = 0
    added = removed = 0
    for row in raw:
        match = _HUNK_RE.match(row)
        if match:
            old_start, new_start = int(match[1]), int(match[3])
            old_count = int(match[2]) if match[2] is not None else 1
            new_count = int(match[4]) if match[4] is not None else 1
            lines = []
            hunks.append(
                DiffHunk(
                    header=row,
                    old_start=old_start,
                    old_count=old_count,
                    new_start=new_start,
                    new_count=new_count,
                    lines=lines,
                )
            )
            # An empty side's start is the line *before* it (0 for an empty file).
            old_no = old_start if old_count else old_start + 1
            new_no = new_start if new_count else new_start + 1
            continue
        if not hunks:  # the "---" / "+++" file header
            continue
        tag, text = row[:1], row[1:]
        if tag == "+":
            lines.append(DiffLine("add", text, None, new_no))
            new_no += 1
            added += 1
        elif tag == "-":
            lines.append(DiffLine("del", text, old_no, None))
            old_no += 1
            removed += 1
        else:
            lines.append(DiffLine("ctx", text, old_no, new_no))
            old_no += 1
            new_no += 1
    return CodeDiff(hunks=hunks, added=added, removed=removed, identical=False)
