"""Submissions: queue one (202), poll it, list your own."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.api.responses import errors
from app.deps import SessionDep, SettingsDep, StudentUser, require_role
from app.models import ACTIVE_STATUSES, User
from app.queue.wakeup import (
    VerdictSignal,
    announce_verdict,
    notify_in_transaction,
    wake_local_workers,
)
from app.schemas import SubmissionDetail, SubmissionIn, SubmissionOut
from app.services import attempts as attempt_service

router = APIRouter(
    prefix="/submissions",
    tags=["submissions"],
    dependencies=[require_role("student")],
    responses=errors(401, 403),
)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionOut,
    responses=errors(404, 413, 429),
)
def create_submission(
    body: SubmissionIn, user: StudentUser, session: SessionDep, settings: SettingsDep
) -> SubmissionOut:
    """Queue code for grading; poll ``GET /api/submissions/{id}`` for the result.

    ``mode: run`` checks the visible examples, ``submit`` every case. 413 when the code is
    too large, 429 (with Retry-After) when submitting too fast, 503 when the queue is full.
    """
    attempt = attempt_service.create_submission(
        session=session,
        user=user,
        problem_slug=body.problem,
        code=body.code,
        mode=body.mode,
        max_code_bytes=settings.max_code_bytes,
        rate_limit=settings.submit_rate_limit,
        rate_window_s=settings.submit_rate_window_s,
        queue_max=settings.queue_max,
        user_active_max=settings.user_active_max,
    )
    notify_in_transaction(session)
    session.commit()
    wake_local_workers(settings.data_dir)  # idle workers claim it now, not at their next poll
    return SubmissionOut.of(attempt)


@router.get("", response_model=list[SubmissionOut], responses=errors(404))
def list_submissions(
    user: StudentUser,
    session: SessionDep,
    problem: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SubmissionOut]:
    """The caller's own submissions, newest first (optionally for one problem)."""
    attempts = attempt_service.list_attempts(
        session=session, user=user, problem_slug=problem, limit=limit
    )
    return [SubmissionOut.of(a) for a in attempts]


EVENT_CHECK_S = 0.25  # fallback between checks when no verdict is announced on this host
EVENT_KEEPALIVE_S = 15.0


def _load(request: Request, user_id: int, attempt_id: int) -> SubmissionDetail | None:
    with request.app.state.sessionmaker() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        attempt = attempt_service.get_attempt_for_user(
            session=session, user=user, attempt_id=attempt_id
        )
        return SubmissionDetail.of(attempt)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, allow_nan=False)}\n\n".encode()


async def _verdict_signal(request: Request) -> VerdictSignal | None:
    state = request.app.state
    signal: VerdictSignal | None = getattr(state, "verdict_signal", None)
    if signal is not None and signal.loop is not asyncio.get_running_loop():
        signal.close()  # made on an event loop that is gone (tests start several)
        signal = None
    if signal is None:
        try:
            signal = VerdictSignal(state.settings.data_dir)
        except OSError:  # no local signal: the stream checks every EVENT_CHECK_S
            return None
        state.verdict_signal = signal
    return signal


@router.get(
    "/{attempt_id}/events",
    responses={**errors(404), 200: {"content": {"text/event-stream": {}}}},
    response_class=StreamingResponse,
)
async def submission_events(
    attempt_id: int,
    request: Request,
    user: StudentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> StreamingResponse:
    """Server-sent events for one submission: ``status`` events (``{"id", "status"}``) as
    it goes queued -> running, then one ``result`` event with the whole submission (as
    ``GET /api/submissions/{id}``) once it has a verdict, and the stream ends. A comment
    line every 15 s keeps proxies from closing an idle stream. 404 unless it is yours."""
    # End the request's own transaction now: it would otherwise stay open for the whole
    # stream (on SQLite, holding the write lock every worker needs).
    user_id = user.id
    await run_in_threadpool(session.close)
    first = await run_in_threadpool(_load, request, user_id, attempt_id)  # 404 before streaming
    signal = await _verdict_signal(request)
    limit = time.monotonic() + settings.event_stream_max_s

    async def stream() -> AsyncIterator[bytes]:
        current = first
        last_status = None
        quiet_since = time.monotonic()
        while current is not None:
            if current.status != last_status:
                last_status = current.status
                if current.status in ACTIVE_STATUSES:
                    yield _event("status", {"id": current.id, "status": current.status})
                else:
                    yield _event("result", current.model_dump(mode="json"))
                    return
                quiet_since = time.monotonic()
            if time.monotonic() > limit or await request.is_disconnected():
                return
            if time.monotonic() - quiet_since > EVENT_KEEPALIVE_S:
                yield b": keepalive\n\n"
                quiet_since = time.monotonic()
            if signal is not None:
                await signal.wait(EVENT_CHECK_S)
            else:
                await asyncio.sleep(EVENT_CHECK_S)
            current = await run_in_threadpool(_load, request, user_id, attempt_id)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.post("/{attempt_id}/cancel", response_model=SubmissionDetail, responses=errors(404, 409))
def cancel_submission(
    attempt_id: int, user: StudentUser, session: SessionDep, settings: SettingsDep
) -> SubmissionDetail:
    """End your own queued or running submission: it becomes ``cancelled`` and is never
    graded (a worker running it kills the run within a moment). 409 once it has a verdict;
    404 unless it is yours."""
    attempt = attempt_service.cancel_attempt(session=session, user=user, attempt_id=attempt_id)
    notify_in_transaction(session)  # workers recheck what they hold
    session.commit()
    wake_local_workers(settings.data_dir)
    announce_verdict(settings.data_dir)  # open event streams end now
    return SubmissionDetail.of(attempt)


@router.get("/{attempt_id}", response_model=SubmissionDetail, responses=errors(404))
def get_submission(attempt_id: int, user: StudentUser, session: SessionDep) -> SubmissionDetail:
    """One submission with its code and result; 404 unless it is yours (or you teach)."""
    attempt = attempt_service.get_attempt_for_user(
        session=session, user=user, attempt_id=attempt_id
    )
    return SubmissionDetail.of(attempt)
