"""Calling a problem's entry point the way the grader judges it: the whole function under
``jax.jit`` with the spec's static arguments, and tracing it for structural facts.

Shared by the sandboxed runner (student code) and the trusted reference runner
(reference code), so both sides call functions in exactly the same way. This module
holds no secrets and no verdict logic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

Tree = Any


def to_device_args(args: dict[str, Tree], static_argnames: tuple[str, ...]) -> dict[str, Tree]:
    """numpy leaves -> jax arrays; static arguments stay plain Python values."""
    import jax.numpy as jnp

    def convert(v: Tree) -> Tree:
        if isinstance(v, dict):
            return {k: convert(s) for k, s in v.items()}
        if isinstance(v, list | tuple):
            return type(v)(convert(s) for s in v)
        if isinstance(v, np.ndarray):
            return jnp.asarray(v)
        return v

    return {k: (v if k in static_argnames else convert(v)) for k, v in args.items()}


def call_entry(
    fn: Callable[..., Any], args: dict[str, Tree], static_argnames: tuple[str, ...]
) -> Tree:
    """``jax.jit(fn, static_argnames=...)(**args)``, blocked on and brought back as numpy."""
    import jax

    jitted = jax.jit(fn, static_argnames=static_argnames)
    out = jitted(**to_device_args(args, static_argnames))
    out = jax.block_until_ready(out)
    return to_numpy_tree(out)


def to_numpy_tree(tree: Tree) -> Tree:
    """Bring a JAX output pytree to host: dict/list/tuple containers, numpy array leaves.

    Containers other than dict/list/tuple (NamedTuples, dataclasses, Flax structs) are
    flattened by ``jax.tree_util`` into a list so the result stays plain data.
    """
    import jax

    if isinstance(tree, dict):
        return {str(k): to_numpy_tree(v) for k, v in tree.items()}
    if isinstance(tree, tuple) and not hasattr(tree, "_fields"):
        return tuple(to_numpy_tree(v) for v in tree)
    if isinstance(tree, list):
        return [to_numpy_tree(v) for v in tree]
    if tree is None:
        return None
    if isinstance(tree, jax.Array | np.ndarray | np.generic | int | float | bool | complex):
        return np.asarray(jax.device_get(tree))
    leaves = jax.tree_util.tree_leaves(tree)
    return [np.asarray(jax.device_get(leaf)) for leaf in leaves]


def _sub_jaxprs(params: dict[str, Any]) -> Iterator[Any]:
    for value in params.values():
        items = value if isinstance(value, list | tuple) else (value,)
        for item in items:
            inner = getattr(item, "jaxpr", None)  # ClosedJaxpr -> Jaxpr
            if inner is not None and hasattr(inner, "eqns"):
                yield inner
            elif hasattr(item, "eqns"):
                yield item


def count_primitives(jaxpr: Any) -> tuple[int, Counter[str]]:
    """Equations and primitive names of a jaxpr, counted through every sub-jaxpr."""
    total = 0
    names: Counter[str] = Counter()
    stack = [jaxpr]
    while stack:
        current = stack.pop()
        for eqn in current.eqns:
            total += 1
            names[eqn.primitive.name] += 1
            stack.extend(_sub_jaxprs(eqn.params))
    return total, names


def trace_facts(
    fn: Callable[..., Any], args: dict[str, Tree], static_argnames: tuple[str, ...]
) -> tuple[int, dict[str, int]]:
    """Trace ``fn`` under jit (no compile, no run) and count its equations and primitives."""
    import jax

    traced = jax.jit(fn, static_argnames=static_argnames).trace(
        **to_device_args(args, static_argnames)
    )
    total, names = count_primitives(traced.jaxpr.jaxpr)
    return total, dict(names)
