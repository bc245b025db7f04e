"""A pool of unprivileged uids, one per concurrent sandboxed run.

With one shared uid (``nobody``) every run on a host shares one ``RLIMIT_NPROC`` budget
and, without Landlock signal scoping, may signal or ptrace the others. Each run instead
leases a uid of its own from ``[base, base + count)`` and its gid is the same number
(neither needs a passwd or group entry).

A uid is held through an exclusive ``flock`` on ``lock_dir/uid-N.lock``, so the pool is
shared by every thread and every worker process on the host that uses the same
directory; a lock dies with its holder, so a crashed worker never leaks uids.

The lease must be held until the run's whole process tree is dead: the caller kills and
empties the run's cgroup (or otherwise reaps every process of the run) first and only
then calls :meth:`UidLease.release`. The pool itself never signals anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import threading
import time
from pathlib import Path
from types import TracebackType

POLL_INTERVAL_S = 0.01
_MAX_ID = 2**32 - 2  # (uid_t)-1 means "unchanged" to setresuid


class UidLease:
    """One leased uid (and the gid of the same number); release it exactly once."""

    def __init__(self, pool: UidPool, uid: int, fd: int) -> None:
        self._pool = pool
        self._fd: int | None = fd
        self.uid = uid
        self.gid = uid

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the uid back (idempotent). Only once no process runs under it."""
        fd, self._fd = self._fd, None
        if fd is not None:
            self._pool._release(self.uid, fd)

    def __enter__(self) -> UidLease:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"UidLease(uid={self.uid}, held={self.held})"


class UidPool:
    """Hands out distinct uids from ``[base, base + count)``, host-wide via ``flock``."""

    def __init__(self, base: int, count: int, lock_dir: Path) -> None:
        if count < 1:
            raise ValueError("a uid pool needs at least one uid")
        if base < 1 or base + count - 1 > _MAX_ID:
            raise ValueError(f"uid pool [{base}, {base + count}) is out of range")
        self.base = base
        self.count = count
        self.lock_dir = _prepare_lock_dir(Path(lock_dir))
        self._lock = threading.Lock()
        self._held: set[int] = set()
        self._next = 0

    def __contains__(self, uid: object) -> bool:
        return isinstance(uid, int) and self.base <= uid < self.base + self.count

    def acquire(self, timeout_s: float) -> UidLease:
        """A free uid, waiting up to ``timeout_s`` for one; raises :class:`TimeoutError`."""
        deadline = time.monotonic() + max(timeout_s, 0.0)
        while True:
            lease = self.try_acquire()
            if lease is not None:
                return lease
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"no free uid in [{self.base}, {self.base + self.count}) after {timeout_s:g} s"
                )
            time.sleep(min(POLL_INTERVAL_S, remaining))

    def try_acquire(self) -> UidLease | None:
        """A free uid now, or ``None``. Starts after the last one handed out, so a
        just-released uid is the last to be reused."""
        with self._lock:
            for step in range(self.count):
                offset = (self._next + step) % self.count
                uid = self.base + offset
                if uid in self._held:
                    continue
                fd = self._open(uid)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                except BaseException:
                    os.close(fd)
                    raise
                self._held.add(uid)
                self._next = (offset + 1) % self.count
                return UidLease(self, uid, fd)
        return None

    def _open(self, uid: int) -> int:
        path = self.lock_dir / f"uid-{uid}.lock"
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(path, flags, 0o600)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                raise PermissionError(f"{path} is not a regular file owned by us")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _release(self, uid: int, fd: int) -> None:
        with self._lock:
            self._held.discard(uid)
            with contextlib.suppress(OSError):
                os.close(fd)  # drops the flock (the only descriptor of its open file)


def _prepare_lock_dir(path: Path) -> Path:
    """A directory owned by us that nobody else may write (lock files must be ours)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise PermissionError(f"uid lock directory {path} is not a directory owned by us")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(f"uid lock directory {path} is writable by others")
    return path


def accounts_in_range(base: int, count: int) -> list[int]:
    """Uids of ``[base, base + count)`` that belong to an account in the passwd database
    (a pool must not overlap real users); for ``jaxdojo doctor``."""
    import pwd

    end = base + count
    return sorted({entry.pw_uid for entry in pwd.getpwall() if base <= entry.pw_uid < end})
