"""Calling a problem's entry point the way the grader judges it: the whole function under
``jax.jit`` with the spec's static arguments (reference outputs), and the one definition
of an output's plain structure.

Shared by the sandboxed runner (student code) and the trusted reference runner
(reference code), so both sides call functions in exactly the same way. This module
holds no secrets and no verdict logic.
"""

from __future__ import annotations

from collections.abc import Callable
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

    return plain_tree(tree, lambda leaf: np.asarray(jax.device_get(leaf)))


def plain_tree(tree: Tree, leaf: Callable[[Any], Any]) -> Tree:
    """``tree`` as dict (str keys)/list/tuple/None containers with ``leaf`` applied to
    every array or number; any other container becomes the list of its leaves. The one
    definition of an output's structure, for reference outputs and exported programs."""
    import jax

    if isinstance(tree, dict):
        return {str(k): plain_tree(v, leaf) for k, v in tree.items()}
    if isinstance(tree, tuple) and not hasattr(tree, "_fields"):
        return tuple(plain_tree(v, leaf) for v in tree)
    if isinstance(tree, list):
        return [plain_tree(v, leaf) for v in tree]
    if tree is None:
        return None
    if isinstance(tree, jax.Array | np.ndarray | np.generic | int | float | bool | complex):
        return leaf(tree)
    return [leaf(x) for x in jax.tree_util.tree_leaves(tree)]
