"""Platform faults of the grader. A student's mistake is never one of these: it is a
verdict inside a GradeResult. These are raised when no honest verdict can be produced."""

from __future__ import annotations


class GraderError(Exception):
    """The grader could not produce a result; this is a platform fault, not the student's."""

    def __init__(self, message: str | None = None):
        super().__init__(message or (self.__doc__ or "").strip())


class UnknownProblem(GraderError):
    """No problem with that slug exists."""


class IsolationUnavailable(GraderError):
    """Full isolation is required by configuration but this host does not provide it."""


class SandboxFailure(GraderError):
    """The sandbox machinery itself failed (zygote died, fork failed, pipe broke)."""


class ReferenceFailure(GraderError):
    """The trusted reference solution failed to produce outputs for a case."""


class Cancelled(Exception):
    """The caller cancelled the grade while it ran; the processes were killed. Neither a
    verdict nor a platform fault: nothing is to be stored for it."""


class ProblemChanged(Exception):
    """The problem's folder is not the version the attempt was queued against (it changed
    since). Not a platform fault to retry on this host, and not a verdict: the caller ends
    the attempt with a request to submit again, or leaves it to a host with that version.
    """

    def __init__(self, slug: str, wanted: str, found: str):
        super().__init__(f"{slug}: the attempt is for version {wanted}, this grader has {found}")
        self.slug, self.wanted, self.found = slug, wanted, found
