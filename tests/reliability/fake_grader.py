"""A fast stand-in for ``grader.grade.Grader``, selected with
``JAXDOJO_GRADER_FACTORY=tests.reliability.fake_grader:make``.

The submitted code drives it with directive comments::

    # tag: <unique id>          names the submission in the event log
    # sleep: 2.5                seconds to "grade"
    # status: failed            the verdict (default passed)
    # raise: platform           raise GraderError (a platform fault)

Every grade appends JSON lines ``{"event": "start"|"end"|"cancelled", "tag", "pid", "t"}`` to
the file named by ``JAXDOJO_FAKE_GRADER_LOG`` (when set), so tests can count how many
times each submission was graded and by which process.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from typing import Any

from grader.errors import Cancelled, GraderError, ProblemChanged, SandboxFailure
from grader.result import CaseResult, GradeResult
from grader.spec import content_hash

_DIRECTIVE = re.compile(r"^#\s*(tag|sleep|status|raise)\s*:\s*(\S+)\s*$", re.M)


def _log(event: str, tag: str) -> None:
    path = os.environ.get("JAXDOJO_FAKE_GRADER_LOG")
    if not path:
        return
    line = json.dumps({"event": event, "tag": tag, "pid": os.getpid(), "t": time.time()})
    with open(path, "a") as fh:
        fh.write(line + "\n")
        fh.flush()


class FakeGrader:
    closed = False

    def __init__(self, settings: Any = None):
        self.settings = settings

    def grade(
        self,
        slug: str,
        code: str,
        mode: str,
        *,
        cancel: threading.Event | None = None,
        version: str | None = None,
    ) -> GradeResult:
        if version is not None and self.settings is not None:
            # As the real grader: only the version the attempt was queued against.
            found = content_hash(self.settings.problems_dir / slug)
            if found != version:
                raise ProblemChanged(slug, version, found)
        d = dict(_DIRECTIVE.findall(code))
        tag = d.get("tag", "")
        _log("start", tag)
        seconds = float(d.get("sleep", "0"))
        if cancel is None:
            time.sleep(seconds)
        elif cancel.wait(seconds):  # like the real grader: the run is killed at once
            _log("cancelled", tag)
            raise Cancelled()
        if d.get("raise") == "platform":
            _log("raise", tag)
            raise SandboxFailure("fake sandbox failure")
        if d.get("raise") == "other":
            raise GraderError("fake failure")
        status = d.get("status", "passed")
        case_status = "passed" if status == "passed" else "failed"
        result = GradeResult(
            status=status,  # type: ignore[arg-type]
            score=1.0 if status == "passed" else 0.0,
            summary=f"fake {status}",
            problem=slug,
            mode=mode,  # type: ignore[arg-type]
            cases=[CaseResult.hidden_case("hidden-1", case_status)],  # type: ignore[arg-type]
            stdout=f"pid={os.getpid()}",
        )
        _log("end", tag)
        return result

    def close(self) -> None:
        self.closed = True


def make(settings: Any) -> FakeGrader:
    return FakeGrader(settings)
