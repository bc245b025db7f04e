"""Per-run cgroups (memory + pids), cgroup v1 or v2, managed by the trusted worker.

The worker creates one cgroup per run (per controller on v1) before the child exists;
the child joins it as its first act, so every thread and process it ever makes is
charged and killable. On v1 only the child's *new* pages are charged: the zygote's
copy-on-write pages stay charged to the zygote, so even small caps leave JAX room.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
_GROUP_NAME = "jaxdojo"


def _own_path(controller: str) -> str | None:
    """This process's cgroup path for a v1 controller ('' for the v2 unified line)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else [""]
        if controller in names:
            return path
    return None


def _writable_base(mount: Path, own: str | None) -> Path | None:
    candidates = []
    if own and own != "/":
        candidates.append(mount / own.lstrip("/"))
    candidates.append(mount)
    for parent in candidates:
        if not parent.is_dir():
            continue
        base = parent / _GROUP_NAME
        try:
            base.mkdir(exist_ok=True)
        except OSError:
            continue
        return base
    return None


@dataclass
class CgroupLayout:
    """Where this host lets us create per-run cgroups."""

    version: int  # 1, 2, or 0 for none
    memory_base: Path | None = None
    pids_base: Path | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def detect(cls) -> CgroupLayout:
        if (CGROUP_ROOT / "cgroup.controllers").exists():
            return cls._detect_v2()
        if (CGROUP_ROOT / "memory" / "memory.limit_in_bytes").exists() or (
            CGROUP_ROOT / "pids"
        ).is_dir():
            layout = cls(version=1)
            mem = CGROUP_ROOT / "memory"
            if (mem / "memory.limit_in_bytes").exists():
                layout.memory_base = _writable_base(mem, _own_path("memory"))
            pids = CGROUP_ROOT / "pids"
            if pids.is_dir():
                layout.pids_base = _writable_base(pids, _own_path("pids"))
            if layout.memory_base is None:
                layout.problems.append("cannot create a v1 memory cgroup")
            if layout.pids_base is None:
                layout.problems.append("cannot create a v1 pids cgroup")
            return layout
        return cls(version=0, problems=["no cgroup filesystem at /sys/fs/cgroup"])

    @classmethod
    def _detect_v2(cls) -> CgroupLayout:
        layout = cls(version=2)
        base = _writable_base(CGROUP_ROOT, _own_path(""))
        if base is None:
            layout.problems.append("cannot create a v2 cgroup")
            return layout
        try:
            (base / "cgroup.subtree_control").write_text("+memory +pids")
        except OSError as exc:
            # v2's "no internal processes" rule: our own cgroup must be a leaf's parent.
            layout.problems.append(f"cannot enable memory/pids controllers: {exc}")
            return layout
        enabled = (base / "cgroup.subtree_control").read_text().split()
        if "memory" in enabled:
            layout.memory_base = base
        if "pids" in enabled:
            layout.pids_base = base
        return layout

    @property
    def memory(self) -> bool:
        return self.memory_base is not None

    @property
    def pids(self) -> bool:
        return self.pids_base is not None

    def release(self) -> None:
        """Remove our base cgroups if no run uses them (another runner may still)."""
        for base in {self.memory_base, self.pids_base}:
            if base is not None:
                with contextlib.suppress(OSError):
                    base.rmdir()

    def create(self, name: str, *, memory_mb: int, max_processes: int) -> RunCgroup:
        run = RunCgroup(version=self.version)
        for base in {self.memory_base, self.pids_base}:
            if base is not None:  # released by another runner in this cgroup meanwhile
                base.mkdir(exist_ok=True)
        try:
            if self.memory_base is not None:
                path = self.memory_base / name
                path.mkdir()
                run.dirs.append(path)
                run.memory = path
                limit = str(memory_mb * 1024 * 1024)
                if self.version == 1:
                    (path / "memory.limit_in_bytes").write_text(limit)
                    swap = path / "memory.memsw.limit_in_bytes"
                    if swap.exists():
                        with contextlib.suppress(OSError):
                            swap.write_text(limit)
                else:
                    (path / "memory.max").write_text(limit)
                    with contextlib.suppress(OSError):
                        (path / "memory.swap.max").write_text("0")
            if self.pids_base is not None:
                if self.version == 2 and self.pids_base == self.memory_base:
                    path = self.pids_base / name
                else:
                    path = self.pids_base / name
                    path.mkdir()
                    run.dirs.append(path)
                run.pids = path
                (path / "pids.max").write_text(str(max_processes))
        except OSError:
            run.remove()
            raise
        return run


@dataclass
class RunCgroup:
    version: int
    memory: Path | None = None
    pids: Path | None = None
    dirs: list[Path] = field(default_factory=list)

    @property
    def procs_files(self) -> dict[str, str | None]:
        """cgroup.procs of each controller (the same file for both on v2)."""
        return {
            "memory": str(self.memory / "cgroup.procs") if self.memory else None,
            "pids": str(self.pids / "cgroup.procs") if self.pids else None,
        }

    def pids_inside(self) -> set[int]:
        found: set[int] = set()
        for directory in self.dirs:
            with contextlib.suppress(OSError, ValueError):
                found.update(int(p) for p in (directory / "cgroup.procs").read_text().split())
        return found

    def kill_all(self, timeout_s: float = 2.0) -> None:
        """SIGKILL everything in the run's cgroups until they are empty."""
        for directory in self.dirs:
            kill_file = directory / "cgroup.kill"
            if self.version == 2 and kill_file.exists():
                with contextlib.suppress(OSError):
                    kill_file.write_text("1")
        deadline = time.monotonic() + timeout_s
        while True:
            pids = self.pids_inside()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                log.warning("processes %s survive in %s", sorted(pids), self.dirs)
                return
            time.sleep(0.005)

    def oom_killed(self) -> bool:
        if self.memory is None:
            return False
        try:
            if self.version == 1:
                control = (self.memory / "memory.oom_control").read_text()
                for line in control.splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value) > 0
                return int((self.memory / "memory.failcnt").read_text()) > 0
            for line in (self.memory / "memory.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value) > 0
        except (OSError, ValueError):
            return False
        return False

    def peak_memory_mb(self) -> float | None:
        if self.memory is None:
            return None
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.memory / name).read_text()) / (1024 * 1024)
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        for directory in reversed(self.dirs):
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill_all(timeout_s=0.1)
                    time.sleep(0.01)
            else:
                log.warning("could not remove cgroup %s", directory)
        self.dirs.clear()
