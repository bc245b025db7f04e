"""A seccomp filter for sandboxed children, through libseccomp (ctypes, no extra package).

A denylist on top of uid nobody + Landlock + namespaces: no new processes (clone without
CLONE_THREAD, fork, vfork; clone3 answers ENOSYS so glibc falls back to clone for
threads), no exec, no ptrace or cross-process memory access, no sockets other than
AF_UNIX, signals only to the process itself, and none of the kernel interfaces that are
not namespaced (keyrings, io_uring, bpf, perf, userfaultfd) or that change namespaces or
mounts. Loading the filter also sets PR_SET_NO_NEW_PRIVS.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket

_ACT_ALLOW = 0x7FFF0000
_CMP_NE = 1
_CMP_MASKED_EQ = 7
_CLONE_THREAD = 0x00010000


def _act_errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


DENIED = (
    "fork",
    "vfork",
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "tkill",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "open_by_handle_at",
    "name_to_handle_at",
    "personality",
)


class SeccompError(OSError):
    """The filter could not be built or loaded."""


def _load_library() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_load.restype = ctypes.c_int
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.restype = None
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


# Loaded at import so that the zygote resolves the library before children lose access.
_LIB = _load_library()


def available() -> bool:
    return _LIB is not None


def install_filter() -> dict[str, object]:
    """Load the filter into the calling process; every thread created later inherits it."""
    lib = _LIB
    if lib is None:
        raise SeccompError("libseccomp is not installed")
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        raise SeccompError("seccomp_init failed")
    own_pid = os.getpid()
    try:

        def rule(action: int, name: str, *cmps: tuple[int, int, int, int]) -> None:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0:  # not on this architecture
                return
            array = (_ArgCmp * max(len(cmps), 1))(*(_ArgCmp(*c) for c in cmps))
            rc = lib.seccomp_rule_add_array(ctx, action, number, len(cmps), array)
            if rc != 0:
                raise SeccompError(-rc, f"seccomp rule for {name} failed")

        eperm = _act_errno(errno.EPERM)
        for name in DENIED:
            rule(eperm, name)
        rule(_act_errno(errno.ENOSYS), "clone3")
        rule(eperm, "clone", (0, _CMP_MASKED_EQ, _CLONE_THREAD, 0))
        rule(_act_errno(errno.EAFNOSUPPORT), "socket", (0, _CMP_NE, socket.AF_UNIX, 0))
        for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
            rule(eperm, name, (0, _CMP_NE, own_pid, 0))
        rc = lib.seccomp_load(ctx)
        if rc != 0:
            raise SeccompError(-rc, "seccomp_load failed")
    finally:
        lib.seccomp_release(ctx)
    return {"mode": "denylist", "no_fork": True, "no_exec": True, "inet_sockets": False}
