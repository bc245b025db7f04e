"""The grading worker: claim, grade, write, repeat (``jaxdojo worker``).

- ``concurrency`` slot threads each own one grader and grade one attempt at a time; a
  heartbeat thread renews every held lease each ``heartbeat_s``.
- Student failures are verdicts inside the GradeResult and are stored as such, never
  retried. A ``GraderError`` (or any unexpected exception) is a platform fault: the attempt
  is requeued, and finished as ``system_error`` ("please resubmit") on its ``max_tries``th
  try. A worker that dies holding a lease is covered by the lease expiring.
- The first SIGTERM/SIGINT is a warm stop (finish the attempts in hand, claim no more);
  the second is a cold stop (release the leases in hand and exit at once).
- ``run(burst=True)`` returns when the queue is empty; ``max_jobs`` bounds the work.
- An attempt its owner cancels (or another worker took over) is a lost lease: the worker
  learns it at the next wake-up (the cancel sends one) or heartbeat, sets that grade's
  cancel event, and the grader kills the run (``grader.errors.Cancelled``); nothing is
  written for it.

The grader is ``grader.grade.Grader(settings.grader)`` unless ``settings.grader_factory``
names another ("module:callable", called with the Settings) — tests use that for a fast
fake grader.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol, cast

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.core.config import Settings
from app.core.db import make_engine
from app.queue import claims as q
from app.queue.wakeup import Waker, announce_verdict
from grader.errors import Cancelled, GraderError, ProblemChanged
from grader.result import GradeResult, Mode

log = logging.getLogger("jaxdojo.worker")

PROBLEM_CHANGED = (
    "This problem was updated after you submitted, so your code could not be graded "
    "against the version you saw. Submit again to be graded against the current version."
)


class GraderLike(Protocol):
    def grade(
        self,
        slug: str,
        code: str,
        mode: Mode = ...,
        *,
        cancel: threading.Event | None = None,
        version: str | None = None,
    ) -> GradeResult: ...

    def close(self) -> None: ...


GraderFactory = Callable[[Settings], GraderLike]


def load_grader_factory(settings: Settings) -> GraderFactory:
    if settings.grader_factory:
        module_name, _, attr = settings.grader_factory.partition(":")
        factory: GraderFactory = getattr(importlib.import_module(module_name), attr)
        return factory

    def real(s: Settings) -> GraderLike:
        from grader.grade import Grader

        grader: GraderLike = Grader(s.grader)
        return grader

    return real


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine | None = None,
        grader_factory: GraderFactory | None = None,
        concurrency: int = 1,
        worker_id: str | None = None,
    ):
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.grader_factory = grader_factory or load_grader_factory(settings)
        self.concurrency = max(1, concurrency)
        self.worker_id = worker_id or default_worker_id()
        self.stopping = threading.Event()  # warm stop: claim nothing more
        self._wake = threading.Event()  # an attempt was queued (or we are stopping)
        self._done = threading.Event()  # every slot has finished
        self.jobs_done = 0
        self._held: dict[int, q.Claim] = {}
        self._started: dict[int, float] = {}  # attempt id -> time.monotonic() at claim
        self._cancels: dict[int, threading.Event] = {}  # attempt id -> kill its grade
        self._recheck = threading.Event()  # the queue changed: are our claims still ours?
        self._last_sweep = float("-inf")
        self._lock = threading.Lock()
        self._budget: int | None = None
        self._signals = 0
        self._graders: list[GraderLike] = []

    # -- lifecycle ---------------------------------------------------------------------

    def run(self, *, burst: bool = False, max_jobs: int | None = None) -> int:
        """Work until stopped (or, in burst mode, until the queue is empty); returns the
        number of attempts finished by this worker."""
        self._budget = max_jobs
        log.info(
            "worker %s starting: concurrency=%d burst=%s max_jobs=%s lease=%ss heartbeat=%ss",
            self.worker_id,
            self.concurrency,
            burst,
            max_jobs,
            self.settings.lease_s,
            self.settings.heartbeat_s,
        )
        heartbeat = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heartbeat.start()
        waker = None
        if not burst:
            try:
                waker = Waker(
                    data_dir=self.settings.data_dir,
                    engine=self.engine,
                    events=(self._wake, self._recheck),
                )
            except OSError as exc:
                log.warning("worker %s: no wake-up channel (%s); polling", self.worker_id, exc)
        slots = [
            threading.Thread(target=self._slot, args=(burst,), name=f"slot-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        for t in slots:
            t.start()
        while any(t.is_alive() for t in slots):
            for t in slots:
                t.join(timeout=0.2)
        self.stopping.set()
        self._wake.set()
        self._done.set()
        self._recheck.set()
        heartbeat.join(timeout=2)
        if waker is not None:
            waker.close()
        log.info("worker %s stopped after %d attempts", self.worker_id, self.jobs_done)
        return self.jobs_done

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals == 1:
            log.warning(
                "worker %s: %s, warm stop: finishing %d attempt(s) in hand (again to force)",
                self.worker_id,
                signal.Signals(signum).name,
                len(self._held),
            )
            self.stopping.set()
            self._wake.set()
            return
        self.cold_stop()

    def cold_stop(self) -> None:
        """Release every held lease and exit the process now."""
        with self._lock:
            held = list(self._held.values())
        for claim in held:
            try:
                released = q.release_attempt(engine=self.engine, claim=claim)
                log.warning("cold stop: attempt %d released=%s", claim.attempt_id, released)
            except SQLAlchemyError:
                log.exception("cold stop: could not release attempt %d", claim.attempt_id)
        for grader in self._graders:
            try:
                grader.close()
            except Exception:
                log.exception("cold stop: grader.close failed")
        logging.shutdown()
        os._exit(1)

    # -- work --------------------------------------------------------------------------

    def _take_budget(self) -> bool:
        with self._lock:
            if self._budget is None:
                return True
            if self._budget <= 0:
                return False
            self._budget -= 1
            return True

    def _return_budget(self) -> None:
        with self._lock:
            if self._budget is not None:
                self._budget += 1

    def _start_grader(self, *, warm: bool) -> GraderLike:
        """A grader for one slot; with ``warm``, its caches fill in the background while
        the slot already claims work (graders without ``warm_up`` are left as they are)."""
        grader = self.grader_factory(self.settings)
        with self._lock:
            self._graders.append(grader)
        warm_up = getattr(grader, "warm_up", None)
        if warm and callable(warm_up):
            threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
        return grader

    def _slot(self, burst: bool) -> None:
        grader: GraderLike | None = None
        try:
            if self.settings.grader.warm_on_start and not burst:
                grader = self._start_grader(warm=threading.current_thread().name == "slot-0")
            while not self.stopping.is_set():
                if not self._take_budget():
                    return
                try:
                    self._sweep()
                    claim = q.claim_next_attempt(
                        engine=self.engine,
                        worker_id=self.worker_id,
                        lease_s=self.settings.lease_s,
                        max_tries=self.settings.max_tries,
                    )
                except SQLAlchemyError as exc:
                    self._return_budget()
                    log.warning("worker %s: claim failed (%s); retrying", self.worker_id, exc)
                    self.stopping.wait(min(5.0, self.settings.poll_s * 4))
                    continue
                if claim is None:
                    self._return_budget()
                    if burst:
                        return
                    # Woken the moment an attempt is queued; the poll is the fallback.
                    if self._wake.wait(self.settings.poll_s):
                        self._wake.clear()
                    continue
                if grader is None:
                    grader = self._start_grader(warm=False)
                self._process(grader, claim)
        finally:
            if grader is not None:
                try:
                    grader.close()
                except Exception:
                    log.exception("worker %s: grader.close failed", self.worker_id)

    def _sweep(self) -> None:
        """Finish exhausted expired leases as system_error (at most once per heartbeat)."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_sweep < self.settings.heartbeat_s:
                return
            self._last_sweep = now
        swept = q.expire_exhausted(engine=self.engine, max_tries=self.settings.max_tries)
        if swept:
            log.error(
                "worker %s: %d attempt(s) ran out of tries -> system_error", self.worker_id, swept
            )

    def _process(self, grader: GraderLike, claim: q.Claim) -> None:
        ctx = (
            f"worker={self.worker_id} attempt={claim.attempt_id} problem={claim.problem_slug} "
            f"mode={claim.mode} try={claim.tries}/{self.settings.max_tries}"
        )
        cancel = threading.Event()
        with self._lock:
            self._held[claim.attempt_id] = claim
            self._started[claim.attempt_id] = time.monotonic()
            self._cancels[claim.attempt_id] = cancel
        log.info("claimed %s", ctx)
        started = time.monotonic()
        try:
            try:
                result = grader.grade(
                    claim.problem_slug,
                    claim.code,
                    cast(Mode, claim.mode),
                    cancel=cancel,
                    version=claim.problem_version or None,
                )
            except ProblemChanged as exc:
                self._problem_changed(claim, ctx, exc)
                return
            except Cancelled:
                log.info("cancelled %s: the run was killed, nothing stored", ctx)
                with self._lock:
                    self.jobs_done += 1
                return
            except GraderError as exc:
                self._platform_fault(claim, ctx, f"{type(exc).__name__}: {exc}")
                return
            except Exception as exc:  # process boundary of one job: log and requeue
                log.exception("unexpected grader failure %s", ctx)
                detail = "".join(traceback.format_exception_only(exc)).strip()
                self._platform_fault(claim, ctx, f"unexpected: {detail}")
                return
            if claim.mode == "run":
                # Not in submit mode: the time a grade took depends on the hidden inputs,
                # which the grader already keeps out of a submit's timings.
                result.timings.setdefault("worker_total_s", round(time.monotonic() - started, 3))
            if self._store(claim, result, ctx):
                log.info("graded %s status=%s score=%s", ctx, result.status, result.score)
            else:
                log.warning("lease lost before the result was written; ignored: %s", ctx)
            with self._lock:
                self.jobs_done += 1
        finally:
            with self._lock:
                self._held.pop(claim.attempt_id, None)
                self._started.pop(claim.attempt_id, None)
                self._cancels.pop(claim.attempt_id, None)

    def _problem_changed(self, claim: q.Claim, ctx: str, exc: ProblemChanged) -> None:
        """The attempt's version is not the folder's. If the folder is the newest version
        (the database's current one, or one it has not seen, which is then synced in), the
        attempt ends asking for a resubmission; if this host's folder is an older version
        than the database's current one, the host is stale: a platform fault, retried
        (perhaps by a host with the right files)."""
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from app.models import Problem, ProblemVersion
        from app.services.problems import sync_problems

        with Session(self.engine) as session:
            current = session.get(Problem, claim.problem_id)
            known = session.scalar(
                select(ProblemVersion.id).where(
                    ProblemVersion.problem_id == claim.problem_id,
                    ProblemVersion.content_hash == exc.found,
                )
            )
            stale = current is not None and known is not None and current.current_hash != exc.found
            if known is None:
                sync_problems(session=session, problems_dir=self.settings.problems_dir)
                session.commit()
                log.warning("problem folder newer than the database; synced it in: %s", exc)
        if stale:  # outside the session: SQLite allows one writer at a time
            self._platform_fault(claim, ctx, f"stale problem folder on this host: {exc}")
            return
        result = GradeResult.system_error(
            PROBLEM_CHANGED,
            problem=claim.problem_slug,
            problem_version=claim.problem_version,
            mode=cast(Mode, claim.mode),
        )
        self._store(claim, result, ctx)
        log.info("problem changed %s: %s", ctx, exc)
        with self._lock:
            self.jobs_done += 1

    def _store(self, claim: q.Claim, result: GradeResult, ctx: str) -> bool:
        """Write the result while the lease holds; False if it was lost (nothing stored)."""
        stored = bool(
            self._write(
                lambda: q.complete_attempt(engine=self.engine, claim=claim, result=result), ctx
            )
        )
        if stored:
            announce_verdict(self.settings.data_dir)  # open event streams look now
        return stored

    def _platform_fault(self, claim: q.Claim, ctx: str, error: str) -> None:
        new_status = self._write(
            lambda: q.fail_attempt(
                engine=self.engine, claim=claim, error=error, max_tries=self.settings.max_tries
            ),
            ctx,
        )
        log.error("platform fault %s: %s -> %s", ctx, error, new_status or "lease lost")
        with self._lock:
            self.jobs_done += 1

    def _write(self, op: Callable[[], Any], ctx: str) -> Any:
        """Retry a result write through database blips while the heartbeat keeps the lease."""
        delay = 0.5
        deadline = time.monotonic() + max(5.0, self.settings.lease_s)
        while True:
            try:
                return op()
            except SQLAlchemyError as exc:
                if time.monotonic() + delay > deadline:
                    log.error("giving up writing the result %s: %s", ctx, exc)
                    return None
                log.warning("result write failed %s (%s); retrying in %.1fs", ctx, exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _cancel_lost(self, lost: list[q.Claim], why: str) -> None:
        """Kill the grades of claims this worker no longer holds: their verdict could not
        be stored anyway, and a cancelled infinite loop must not hold a slot."""
        for claim in lost:
            with self._lock:
                cancel = self._cancels.get(claim.attempt_id)
            if cancel is not None and not cancel.is_set():
                log.warning(
                    "worker %s: attempt %d %s; killing its run",
                    self.worker_id,
                    claim.attempt_id,
                    why,
                )
                cancel.set()

    def _heartbeat(self) -> None:
        next_renewal = time.monotonic() + self.settings.heartbeat_s
        while not self._done.is_set():
            woken = self._recheck.wait(max(0.0, next_renewal - time.monotonic()))
            if self._done.is_set():
                return
            if woken:  # a wake-up: only look whether what we hold was cancelled
                self._recheck.clear()
                with self._lock:
                    held = list(self._held.values())
                try:
                    lost = q.lost_claims(engine=self.engine, claims=held)
                except SQLAlchemyError as exc:
                    log.warning("worker %s: recheck failed: %s", self.worker_id, exc)
                    continue
                self._cancel_lost(lost, "was cancelled or taken over")
                continue
            next_renewal = time.monotonic() + self.settings.heartbeat_s
            now = time.monotonic()
            with self._lock:
                held = [
                    c
                    for c in self._held.values()
                    if now - self._started.get(c.attempt_id, now) < self.settings.job_timeout_s
                ]
                hung = len(self._held) - len(held)
            if hung:
                # A grade past the job timeout is presumed hung (sandbox or driver stuck):
                # stop renewing so its lease lapses and another worker takes it over.
                log.error(
                    "worker %s: %d grade(s) past job_timeout_s; letting leases lapse",
                    self.worker_id,
                    hung,
                )
            if not held:
                continue
            try:
                lost = q.renew_leases(
                    engine=self.engine, claims=held, lease_s=self.settings.lease_s
                )
            except SQLAlchemyError as exc:
                log.warning("worker %s: heartbeat failed: %s", self.worker_id, exc)
                continue
            self._cancel_lost(lost, "lost its lease (cancelled, or another worker took it over)")
