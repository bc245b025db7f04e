"""Which isolation layers this host provides (``jaxdojo doctor``).

Each layer is tested for real, in a throwaway subprocess (namespaces, Landlock, seccomp)
or by creating and removing a cgroup, rather than guessed from kernel versions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from grader.config import REPO_ROOT, GraderSettings, get_grader_settings

if TYPE_CHECKING:
    from grader.sandbox.cgroups import CgroupLayout

# Layers every run must have when ``require_full_isolation`` is set.
REQUIRED = (
    "netns",
    "pidns",
    "mountns",
    "uid_drop",
    "landlock",
    "seccomp",
    "cgroup_memory",
    "cgroup_pids",
    "rlimits",
    "env_allowlist",
)

# Uids leased to concurrent runs (grader.sandbox.uids.UidPool), unless configured.
UID_POOL_BASE = 640000
UID_POOL_COUNT = 64

_PROBE = """
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)


def own_proc():
    # In the new PID namespace: a private mount namespace with a fresh /proc there.
    if libc.unshare(0x00020000) != 0 or libc.mount(None, b"/", None, 16384 | 262144, None):
        return False
    if libc.mount(b"proc", b"/proc", b"proc", 2 | 4 | 8, None) != 0:
        return False
    return [n for n in os.listdir("/proc") if n.isdigit()] == ["1"]


def pidns():
    if libc.unshare(0x20000000) != 0:
        return "unshare(CLONE_NEWPID) failed: " + os.strerror(ctypes.get_errno())
    try:
        pid = os.fork()
    except OSError as exc:
        return f"fork failed: {exc}"
    if pid == 0:
        code = 3
        try:
            code = 1 if os.getpid() != 1 else 0 if own_proc() else 2
        finally:
            os._exit(code)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    errors = {1: "the first process is not PID 1", 2: "cannot mount its own /proc"}
    return True if code == 0 else errors.get(code, f"probe exited with {code}")


pid_layer = pidns()
report = {"pidns": pid_layer is True}
if pid_layer is not True:
    report["pidns_error"] = pid_layer
report["netns"] = libc.unshare(0x40000000) == 0
report["mountns"] = libc.unshare(0x00020000) == 0
from grader.sandbox import landlock, seccomp
report["landlock_abi"] = landlock.abi_version()
try:
    seccomp.install_filter()
    report["seccomp"] = True
except OSError as exc:
    report["seccomp"] = False
    report["seccomp_error"] = str(exc)
print(json.dumps(report))
"""


def _probe_subprocess() -> dict[str, Any]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE],
            env=env,
            capture_output=True,
            timeout=60,
            check=True,
            cwd="/",
        )
        result: dict[str, Any] = json.loads(done.stdout)
        return result
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return {
            "netns": False,
            "pidns": False,
            "mountns": False,
            "landlock_abi": 0,
            "seccomp": False,
            "probe_error": str(exc),
        }


def detect_isolation(
    settings: GraderSettings,
    *,
    cgroups: CgroupLayout | None = None,
    uid_pool_base: int | None = None,
    uid_pool_count: int | None = None,
) -> dict[str, Any]:
    """Test each isolation layer on this host; ``True``/``False`` or a describing value.

    ``uid_pool_base``/``uid_pool_count`` describe the uids runs are given, one each.
    """
    if uid_pool_base is None:
        uid_pool_base = settings.sandbox_uid_base
    if uid_pool_count is None:
        uid_pool_count = settings.sandbox_uid_count
    from grader.sandbox.cgroups import CgroupLayout
    from grader.sandbox.isolation import nobody_ids
    from grader.sandbox.uids import accounts_in_range

    layout = cgroups if cgroups is not None else CgroupLayout.detect()
    if cgroups is None:
        layout.release()  # detection made our base cgroups; leave no trace
    probe = _probe_subprocess()
    root = os.geteuid() == 0
    abi = int(probe.get("landlock_abi", 0))
    layers: dict[str, Any] = {
        "netns": bool(probe.get("netns")),
        "pidns": bool(probe.get("pidns")),
        "mountns": bool(probe.get("mountns")),
        "uid_drop": root,
        "uid": "nobody" if root else str(os.geteuid()),
        "nobody_uid": nobody_ids()[0],
        "uid_pool": {"base": uid_pool_base, "count": uid_pool_count},
        "landlock": abi >= 1,
        "landlock_abi": abi,
        "landlock_tcp": abi >= 4,
        "landlock_signal_scope": abi >= 6,
        "seccomp": bool(probe.get("seccomp")),
        "cgroup_version": layout.version,
        "cgroup_memory": layout.memory,
        "cgroup_pids": layout.pids,
        "rlimits": True,
        "env_allowlist": True,
        "scratch_dir": True,
        "pdeathsig": True,
        "backend": settings.backend,
    }
    notes = [*layout.problems]
    if "seccomp_error" in probe:
        notes.append(f"seccomp: {probe['seccomp_error']}")
    if "probe_error" in probe:
        notes.append(f"probe: {probe['probe_error']}")
    if "pidns_error" in probe:
        notes.append(f"PID namespace: {probe['pidns_error']}")
    try:
        taken = accounts_in_range(uid_pool_base, uid_pool_count)
    except OSError:
        taken = []
    if taken:
        notes.append(f"uid pool overlaps existing accounts: {', '.join(map(str, taken[:5]))}")
    if not root:
        notes.append("not running as root: cannot drop to nobody, join cgroups or unshare")
    if notes:
        layers["notes"] = notes
    return layers


# What every run is made of (shown by ``jaxdojo doctor``; every result's ``isolation``
# holds one layer record per process).
PROCESSES = {
    "runner": "imports, traces and exports the student's code (jax.export); sees shapes, "
    "dtypes and static values only, never an input value; runs on the CPU",
    "executor": "runs no student Python: checks the exported programs (platform, "
    "signature, custom-call allowlist, no host callbacks), derives the structure facts, "
    "compiles and runs them on the inputs; the only one that reads the compilation cache",
}


def missing_layers(layers: dict[str, Any]) -> list[str]:
    """Required layers that a host report (or a run's isolation record) lacks."""
    present = dict(layers)
    if "uid_drop" not in present:  # an older run's record names the uid instead
        present["uid_drop"] = present.get("uid") == "nobody"
    return [name for name in REQUIRED if not present.get(name)]


def format_table(layers: dict[str, Any]) -> str:
    rows = [
        ("network namespace (no network)", layers["netns"]),
        ("PID namespace (own /proc)", layers.get("pidns", False)),
        ("mount namespace (hides data, problems, /root, /tmp)", layers["mountns"]),
        ("unprivileged uid, no supplementary groups", layers["uid_drop"]),
    ]
    pool = layers.get("uid_pool")
    if pool:
        rows.append(
            (
                f"distinct uid per run (pool of {pool['count']} from {pool['base']})",
                layers["uid_drop"],
            )
        )
    rows += [
        (f"Landlock filesystem (ABI {layers['landlock_abi']})", layers["landlock"]),
        ("Landlock TCP deny", layers["landlock_tcp"]),
        ("Landlock signal scoping", layers["landlock_signal_scope"]),
        ("seccomp (no fork/exec/ptrace/inet)", layers["seccomp"]),
        (f"cgroup v{layers['cgroup_version']} memory cap", layers["cgroup_memory"]),
        (f"cgroup v{layers['cgroup_version']} pids cap", layers["cgroup_pids"]),
        ("rlimits (cpu, data, fsize, nofile, nproc, core)", layers["rlimits"]),
        ("environment allowlist", layers["env_allowlist"]),
        ("private scratch directory", layers["scratch_dir"]),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {'yes' if ok else 'NO'}" for name, ok in rows]
    for role, what in layers.get("processes", {}).items():
        lines.append(f"{role}: {what}")
    for note in layers.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def main(args: list[str] | None = None) -> int:
    """Print the isolation table; non-zero if full isolation is required but missing."""
    settings = get_grader_settings()
    layers = detect_isolation(settings)
    layers["processes"] = PROCESSES
    if args and "--json" in args:
        print(json.dumps(layers, indent=2))
    else:
        print(format_table(layers))
    missing = missing_layers(layers)
    if missing and settings.require_full_isolation:
        print(f"full isolation is required but missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    if missing:
        print(f"missing layers: {', '.join(missing)} (require_full_isolation is off)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
