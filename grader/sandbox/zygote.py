"""The zygote: a warm, backend-free Python process that forks one child per submission.

Started by :class:`grader.sandbox.runner.ZygoteRunner` as ``python -m
grader.sandbox.zygote --control-fd N --config JSON`` with an allowlisted environment.
It imports jax, flax and scipy, warms tracing with generic programs (never a problem's
reference solution) and never creates an XLA backend: forking after backend
initialization deadlocks the child.

Control protocol (SOCK_SEQPACKET, one message per request): JSON ``{"plan": ...}`` with
four descriptors attached by SCM_RIGHTS: the child's job pipe (read end), result pipe
(write end), output pipe (write end, becomes fd 1 and 2) and a status pipe (write end)
on which the zygote writes ``{"pid": N}`` after forking and ``{"status": S}`` after
reaping the child. The zygote never sees student source or inputs. EOF on the control
socket means the worker is gone: the zygote kills its children and exits.
"""

from __future__ import annotations

import argparse
import array
import contextlib
import json
import os
import signal
import socket
import sys
from typing import Any

# Stdlib modules student code and JAX/Flax commonly import lazily. They must be loaded
# here: after dropping to uid nobody the interpreter's own directory may be unreadable
# (under /root on hosts with a pyenv install) and lazy imports would fail.
STDLIB_PRELOAD = [
    "abc",
    "argparse",
    "array",
    "ast",
    "base64",
    "binascii",
    "bisect",
    "builtins",
    "calendar",
    "cmath",
    "codecs",
    "collections",
    "collections.abc",
    "colorsys",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "dis",
    "enum",
    "errno",
    "fileinput",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "inspect",
    "io",
    "itertools",
    "json",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "math",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "reprlib",
    "secrets",
    "shlex",
    "signal",
    "statistics",
    "string",
    "struct",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "token",
    "tokenize",
    "traceback",
    "types",
    "typing",
    "typing_extensions",
    "unicodedata",
    "uuid",
    "warnings",
    "weakref",
    "zlib",
    "encodings.ascii",
    "encodings.latin_1",
    "encodings.utf_8",
    "encodings.utf_16",
    "encodings.utf_32",
    "encodings.idna",
    "encodings.unicode_escape",
    "encodings.raw_unicode_escape",
]

THIRD_PARTY_PRELOAD = [
    "numpy",
    "numpy.random",
    "numpy.linalg",
    "numpy.fft",
    "jax",
    "jax.numpy",
    "jax.lax",
    "jax.random",
    "jax.nn",
    "jax.nn.initializers",
    "jax.scipy",
    "jax.scipy.special",
    "jax.scipy.linalg",
    "jax.tree_util",
    "jax.experimental",
    "jax._src.compilation_cache",
    "jax.export",
    "jax._src.export.serialization",
    "jax._src.export.serialization_generated",
    "flatbuffers",
    "jaxlib.mlir.ir",
    "jaxlib.mlir.passmanager",
    "jaxlib.mlir.dialects.func",
    "jaxlib.mlir.dialects.stablehlo",
    "jaxlib.mlir.dialects.builtin",
    "jaxlib.mlir.extras.meta",
    "flax",
    "flax.linen",
    "flax.nnx",
    "flax.struct",
    "flax.core",
    "ml_dtypes",
    "scipy",
    "scipy.linalg",
    "scipy.special",
    "optax",
    "einops",
    "chex",
]


def preload() -> list[str]:
    """Import everything children may need; returns the modules that are missing."""
    import importlib

    missing = []
    for name in (*STDLIB_PRELOAD, *THIRD_PARTY_PRELOAD):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    with contextlib.suppress(Exception):
        from jaxlib import lapack

        lapack._lapack.initialize()
    return missing


def prewarm() -> None:
    """Trace small generic programs so children start with warm tracing caches.

    Only tracing (make_jaxpr), never lowering or compiling, which would create a backend.
    These are generic programs, not any problem's reference solution (trust boundary 2).
    """
    import flax.linen as nn
    import jax
    import jax.numpy as jnp
    from flax import nnx
    from jax import lax

    with contextlib.suppress(Exception):
        from jax._src.interpreters import mlir

        mlir.make_ir_context()

    f32 = jnp.float32

    def running(x: Any) -> Any:
        return lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]

    class Dense(nn.Module):
        @nn.compact
        def __call__(self, x: Any) -> Any:
            return jnp.tanh(nn.Dense(3)(x))

    def linen_program(seed: int, x: Any) -> Any:
        module = Dense()
        return module.apply(module.init(jax.random.PRNGKey(seed), x), x)

    def nnx_program(seed: int, x: Any) -> Any:
        cell = nnx.GRUCell(in_features=4, hidden_features=3, rngs=nnx.Rngs(seed))

        def step(carry: Any, xt: Any) -> Any:
            carry, y = cell(carry, xt)
            return carry, y

        return lax.scan(step, jnp.zeros(3, f32), x)[0]

    jax.make_jaxpr(running)(jax.ShapeDtypeStruct((4,), f32))
    jax.make_jaxpr(jax.vmap(running))(jax.ShapeDtypeStruct((2, 4), f32))
    jax.make_jaxpr(linen_program, static_argnums=0)(0, jax.ShapeDtypeStruct((2, 4), f32))
    jax.make_jaxpr(nnx_program, static_argnums=0)(0, jax.ShapeDtypeStruct((5, 4), f32))


def backend_initialized() -> bool:
    from jax._src import xla_bridge

    return bool(xla_bridge.backends_are_initialized())


class Zygote:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.children: dict[int, int] = {}  # pid -> status fd
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)

    def serve(self) -> None:
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        import select

        poller = select.poll()
        poller.register(self.control, select.POLLIN)
        poller.register(self.wake_r, select.POLLIN)
        while True:
            for fd, _ in poller.poll(1000):
                if fd == self.wake_r:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self.wake_r, 4096)
                elif not self.handle_request():
                    self.shutdown()
                    return
            self.reap()

    def handle_request(self) -> bool:
        fds = array.array("i")
        try:
            data, ancdata, _, _ = self.control.recvmsg(1 << 20, socket.CMSG_SPACE(16 * 4))
        except OSError:
            return False
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        if not data:
            for fd in fds:
                os.close(fd)
            return False
        if len(fds) != 4:
            for fd in fds:
                os.close(fd)
            return True
        job_r, result_w, output_w, status_w = fds
        try:
            request = json.loads(data)
            self.spawn(request, job_r, result_w, output_w, status_w)
        except Exception as exc:  # a malformed request from the worker: report, keep serving
            with contextlib.suppress(OSError):
                os.write(status_w, json.dumps({"error": repr(exc)}).encode() + b"\n")
                os.close(status_w)
        finally:
            for fd in (job_r, result_w, output_w):
                with contextlib.suppress(OSError):
                    os.close(fd)
        return True

    def spawn(
        self, request: dict[str, Any], job_r: int, result_w: int, output_w: int, status_w: int
    ) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self.become_child(request["plan"], job_r, result_w, output_w)
        self.children[pid] = status_w
        os.write(status_w, json.dumps({"pid": pid}).encode() + b"\n")

    def become_child(self, plan: dict[str, Any], job_r: int, result_w: int, output_w: int) -> None:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(output_w, 1)
            os.dup2(output_w, 2)
            keep = {0, 1, 2, job_r, result_w}
            for name in os.listdir("/proc/self/fd"):
                fd = int(name)
                if fd not in keep:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            from grader.sandbox.child import child_main

            child_main(plan, job_r, result_w)
        finally:
            os._exit(70)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            status_w = self.children.pop(pid, None)
            if status_w is not None:
                with contextlib.suppress(OSError):
                    os.write(status_w, json.dumps({"status": status}).encode() + b"\n")
                with contextlib.suppress(OSError):
                    os.close(status_w)

    def shutdown(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.reap()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    config = json.loads(args.config)
    control = socket.socket(fileno=args.control_fd)
    missing = preload()
    # Also preload the sandboxed code itself: after the drop to an unprivileged uid the
    # repository is unreadable.
    from grader.sandbox import child, executor  # noqa: F401

    child.configure_jax(config)
    if config.get("prewarm", True):
        prewarm()
    if backend_initialized():  # would deadlock every child: refuse to serve
        control.sendall(json.dumps({"error": "backend initialized in zygote"}).encode())
        return 1
    control.sendall(json.dumps({"ready": True, "missing": missing}).encode())
    Zygote(control).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
