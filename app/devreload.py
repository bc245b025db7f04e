"""``jaxdojo serve --dev``: watch the problem folders and sync them into the database when
their files change, so an instructor sees an edit on the next page load.

A poll of file modification times (no inotify dependency; a problem folder is a handful
of files), debounced: a change is synced once the tree has been still for one poll.
The worker needs nothing: it grades the version an attempt was queued against and
reloads its folders when that version is new to it (``Grader.grade(version=...)``).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, session_scope
from app.services.problems import SyncReport, sync_problems

log = logging.getLogger("jaxdojo.dev")

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(root: Path) -> Fingerprint:
    """Every file under ``root`` with its size and modification time (hidden ones skipped)."""
    entries: list[tuple[str, int, int]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:  # removed while we looked: the next poll sees it
                continue
            entries.append((path, st.st_size, st.st_mtime_ns))
    return tuple(entries)


class ProblemWatcher:
    """Syncs ``settings.problems_dir`` into the database whenever it changes."""

    def __init__(self, settings: Settings, interval_s: float = 1.0) -> None:
        self.settings = settings
        self.interval_s = interval_s
        self.engine = make_engine(settings)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.seen = fingerprint(settings.problems_dir)
        self._pending: Fingerprint | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="problem-watcher", daemon=True)

    def poll(self) -> SyncReport | None:
        """One look: sync and return the report if the tree changed and then held still."""
        now = fingerprint(self.settings.problems_dir)
        if now == self.seen:
            self._pending = None
            return None
        if now != self._pending:  # still being written: wait for it to settle
            self._pending = now
            return None
        self.seen, self._pending = now, None
        with session_scope(self.sessionmaker) as session:
            report = sync_problems(session=session, problems_dir=self.settings.problems_dir)
        changed = report.added + report.updated + report.deactivated
        log.info("problems changed on disk; synced: %s", ", ".join(changed) or "no change")
        for error in report.errors:
            log.error("problem error: %s", error)
        return report

    def _run(self) -> None:
        while not self.stopping.wait(self.interval_s):
            try:
                self.poll()
            except Exception:  # a bad edit must not stop the watcher
                log.exception("syncing the problems failed; will retry on the next change")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        self.engine.dispose()
