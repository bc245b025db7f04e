"""Waking idle workers the moment an attempt is queued (or cancelled), instead of on their
next poll.

Two channels, both best effort (the poll every ``poll_s`` stays as the fallback, so a
lost wake-up only costs latency, never an attempt):

- **local**: every worker process binds a Unix datagram socket in ``<data dir>/wake/``;
  the web process sends one byte to each socket there after committing an attempt. This
  serves the embedded default (SQLite, web and workers on one host) and any workers
  that share the web's host.
- **Postgres**: the web issues ``NOTIFY jaxdojo_queued`` in the attempt's transaction (it
  is delivered at commit), and workers on every host ``LISTEN`` on a connection of their
  own.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import socket
import threading
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "jaxdojo_queued"


def wake_dir(data_dir: Path) -> Path:
    return data_dir / "wake"


def notify_in_transaction(session: Session) -> None:
    """Postgres: queue a NOTIFY that is delivered when the caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


def wake_local_workers(data_dir: Path) -> int:
    """Send one byte to every worker socket on this host; returns how many were woken.
    Sockets whose worker is gone are removed."""
    return _send_all(wake_dir(data_dir))


def _bind(directory: Path) -> tuple[socket.socket, Path]:
    """A non-blocking datagram socket of this process in ``directory`` (made 0700)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.setblocking(False)
    return sock, path


class Waker:
    """The worker's side: a thread that sets every one of ``events`` on each wake-up (local
    datagram or Postgres notification). ``close()`` stops it and removes the socket.

    A wake-up means "something changed in the queue": an attempt was queued (idle slots
    claim) or cancelled (the worker rechecks the attempts it holds)."""

    def __init__(
        self, *, data_dir: Path, engine: Engine, events: tuple[threading.Event, ...]
    ) -> None:
        self.events = events
        self._stop = threading.Event()
        self._sock, self.path = _bind(wake_dir(data_dir))
        self._pg: Any = None
        if engine.dialect.name == "postgresql":
            try:
                raw = engine.raw_connection()
                raw.driver_connection.autocommit = True  # type: ignore[union-attr]
                raw.driver_connection.execute(f"LISTEN {CHANNEL}")  # type: ignore[union-attr]
                self._pg = raw
            except Exception as exc:  # the poll still finds the work
                log.warning("LISTEN %s failed (%s); polling only", CHANNEL, exc)
        self._thread = threading.Thread(target=self._run, name="wakeup", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fds: list[Any] = [self._sock]
        pgconn = None
        if self._pg is not None:
            pgconn = self._pg.driver_connection.pgconn
            fds.append(pgconn.socket)
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select(fds, [], [], 1.0)
            except (OSError, ValueError):
                return
            woke = False
            if self._sock in ready:
                with contextlib.suppress(BlockingIOError):
                    while self._sock.recv(64):
                        woke = True
            if pgconn is not None and pgconn.socket in ready:
                try:
                    pgconn.consume_input()
                    while pgconn.notifies() is not None:
                        woke = True
                except Exception as exc:  # connection lost: fall back to polling
                    log.warning("LISTEN connection lost (%s); polling only", exc)
                    fds = [self._sock]
                    pgconn = None
            if woke:
                for event in self.events:
                    event.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()


# ---------------------------------------------------------------------------- verdicts


def done_dir(data_dir: Path) -> Path:
    return data_dir / "done"


def announce_verdict(data_dir: Path) -> int:
    """Worker side: tell the web processes on this host that some attempt finished, so
    open event streams look now instead of at their next check."""
    return _send_all(done_dir(data_dir))


def _send_all(directory: Path) -> int:
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    sent = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for name in names:
            if not name.endswith(".sock"):
                continue
            path = directory / name
            try:
                sender.sendto(b"!", str(path))
                sent += 1
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):
                    with contextlib.suppress(OSError):
                        path.unlink()  # its process died without cleaning up
                # EAGAIN: its buffer is full, so it has wake-ups pending anyway
    return sent


class VerdictSignal:
    """Web side: a socket in ``<data dir>/done`` read by the event loop; every datagram
    bumps ``generation`` and wakes the streams waiting in :meth:`wait`."""

    def __init__(self, data_dir: Path) -> None:
        import asyncio

        self._sock, self.path = _bind(done_dir(data_dir))
        self.loop = asyncio.get_running_loop()
        self._changed = asyncio.Condition()
        self.generation = 0
        self.loop.add_reader(self._sock.fileno(), self._readable)

    def _readable(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._sock.recv(64):
                pass
        self.generation += 1
        self.loop.create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait(self, timeout_s: float) -> None:
        """Return after the next announced verdict, or after ``timeout_s``."""
        import asyncio

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout_s)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self._sock.fileno())
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
