"""Exporting a problem's entry point for one case signature (``jax.export``).

Runs in the sandboxed runner on the student's function, and in trusted warm-up runs on
known-correct solutions, so both produce the same programs (and so the same compilation
cache keys). The function is jitted with the case's static arguments bound and exported
for the executor's platform from abstract inputs only: shapes and dtypes, never values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

Tree = Any


def abstract(skeleton: Tree) -> Tree:
    """``{"shape": [...], "dtype": "..."}`` leaves (see :mod:`grader.sandbox.codec`) to
    ``jax.ShapeDtypeStruct``s; containers are kept."""
    import jax

    if isinstance(skeleton, dict) and set(skeleton) == {"shape", "dtype"}:
        return jax.ShapeDtypeStruct(tuple(skeleton["shape"]), np.dtype(skeleton["dtype"]))
    if isinstance(skeleton, dict):
        return {k: abstract(v) for k, v in skeleton.items()}
    if isinstance(skeleton, list | tuple):
        return type(skeleton)(abstract(v) for v in skeleton)
    return skeleton


def plain_outputs(tree: Tree) -> Tree:
    """Outputs as dict/list/tuple/None of arrays, which ``jax.export`` can serialize.

    Other containers (NamedTuples, dataclasses, Flax structs) become the list of their
    leaves, as the reference outputs do (:func:`grader.execution.to_numpy_tree`)."""
    import jax.numpy as jnp

    from grader.execution import plain_tree

    return plain_tree(tree, jnp.asarray)


_SILENT = [False]


def reuse_ir_context() -> None:
    """Let every lowering in this process share one MLIR context.

    JAX makes a fresh context (and loads every dialect into it) twice per export, which
    is half of a small program's export time; the exported bytes are identical either
    way. Only for short-lived processes that export many programs (the runner)."""
    from jax._src.interpreters import mlir

    if getattr(mlir.make_ir_context, "_jaxdojo_shared", False):
        return
    shared = mlir.make_ir_context()

    def make_ir_context() -> Any:
        return shared

    make_ir_context._jaxdojo_shared = True  # type: ignore[attr-defined]
    mlir.make_ir_context = make_ir_context


def _install_switchable_callbacks() -> None:
    """Replace ``jax.debug.print``/``jax.debug.callback`` once by wrappers that do nothing
    while :func:`callbacks_silenced` is active, so that even a reference taken at import
    time (``from jax.debug import print``) is silenced during export."""
    import jax

    if getattr(jax.debug.print, "_jaxdojo_switch", False):
        return
    for name in ("print", "callback"):
        real = getattr(jax.debug, name)

        def wrapper(*a: Any, _real: Any = real, **k: Any) -> Any:
            return None if _SILENT[0] else _real(*a, **k)

        wrapper._jaxdojo_switch = True  # type: ignore[attr-defined]
        setattr(jax.debug, name, wrapper)


@contextlib.contextmanager
def callbacks_silenced() -> Iterator[None]:
    """``jax.debug.print``/``jax.debug.callback`` do nothing while exporting: export
    refuses host callbacks, and printing is not what is judged."""
    _install_switchable_callbacks()
    saved = _SILENT[0]
    _SILENT[0] = True
    try:
        yield
    finally:
        _SILENT[0] = saved


def export_entry(
    fn: Callable[..., Any],
    static: dict[str, Any],
    dynamic: Tree,
    platform: str,
    transform: dict[str, Any] | None = None,
) -> bytes:
    """Serialized ``jax.export`` of ``fn`` with ``static`` bound, for ``dynamic``'s
    abstract signature (a dict of argument name to skeleton), optionally transformed
    (``jax.grad``/``jax.vmap``: :func:`grader.execution.build_program`)."""
    import jax
    from jax import export

    from grader.execution import build_program

    reuse_ir_context()
    program = build_program(fn, static, transform, plain_outputs)
    with callbacks_silenced():
        exported = export.export(jax.jit(program), platforms=[platform])(abstract(dynamic))
    return bytes(exported.serialize())
