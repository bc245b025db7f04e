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


# ---------------------------------------------------------------------------- transforms
#
# A program is the entry point with the static arguments bound, as a function of the dict
# of dynamic arguments, optionally transformed (grader.transforms builds the transform):
#
#   None                                  the entry point itself
#   {"kind": "grad", "wrt": [names]}      jax.grad of sum_k <w_k, out_k> over the float
#                                         leaves of the output, w given as the dynamic
#                                         argument WEIGHTS (a list, one array per leaf)
#   {"kind": "vmap", "in_axes": {name: 0 | None}}   jax.vmap over the mapped arguments
#
# The runner exports student programs this way and the reference runner computes the
# reference's, so both sides build exactly the same function.

WEIGHTS = "__weights__"


def float_leaves(tree: Tree) -> list[Any]:
    """The floating-point leaves of a plain output tree, in jax.tree_util's order (dict
    keys sorted), for numpy and JAX arrays alike."""
    out: list[Any] = []

    def walk(node: Tree) -> None:
        if isinstance(node, dict):
            for key in sorted(node):
                walk(node[key])
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif node is not None and np.issubdtype(np.result_type(node), np.inexact):
            out.append(node)

    walk(tree)
    return out


def build_program(
    fn: Callable[..., Any],
    static: dict[str, Any],
    transform: dict[str, Any] | None,
    plain: Callable[[Tree], Tree],
) -> Callable[[dict[str, Tree]], Tree]:
    """The function of the dynamic arguments that is exported (or, for the reference,
    called); ``plain`` makes the entry point's output a plain tree."""
    import jax
    import jax.numpy as jnp

    def entry(args: dict[str, Tree]) -> Tree:
        return plain(fn(**args, **static))

    if transform is None:
        return entry
    kind = transform.get("kind")
    if kind == "vmap":
        axes = {name: transform["in_axes"].get(name) for name in transform["in_axes"]}

        def mapped(args: dict[str, Tree]) -> Tree:
            return jax.vmap(entry, in_axes=({k: axes.get(k) for k in args},))(args)

        return mapped
    if kind == "grad":
        wrt = list(transform["wrt"])

        def gradient(args: dict[str, Tree]) -> Tree:
            weights = list(args[WEIGHTS])
            rest = {k: v for k, v in args.items() if k != WEIGHTS and k not in wrt}

            def scalar(diff: dict[str, Tree]) -> Any:
                leaves = float_leaves(entry({**rest, **diff}))
                shapes = [tuple(jnp.shape(leaf)) for leaf in leaves]
                wanted = [tuple(jnp.shape(w)) for w in weights]
                if shapes != wanted:
                    raise TypeError(
                        "the gradient check needs your outputs to have the reference's "
                        f"floating-point shapes {wanted}; yours are {shapes}"
                    )
                total = jnp.zeros((), jnp.float32)
                for w, leaf in zip(weights, leaves, strict=True):
                    total = total + jnp.vdot(w, leaf.astype(w.dtype)).astype(jnp.float32)
                return total

            return jax.grad(scalar)({k: args[k] for k in wrt})

        return gradient
    raise ValueError(f"unknown program transform {kind!r}")


def call_program(
    fn: Callable[..., Any],
    args: dict[str, Tree],
    static_argnames: tuple[str, ...],
    transform: dict[str, Any] | None,
) -> Tree:
    """:func:`call_entry` for a transformed program (the reference side of a check)."""
    import jax
    import jax.numpy as jnp

    from grader.sandbox.codec import split_static

    # Dynamic Python scalars become 0-d arrays here too, as the executor's inputs do.
    static, dynamic = split_static(args, static_argnames)
    program = build_program(fn, static, transform, lambda t: plain_tree(t, jnp.asarray))
    out = jax.block_until_ready(jax.jit(program)(to_device_args(dynamic, ())))
    return to_numpy_tree(out)
