"""Turn a case's argument description into concrete inputs, deterministically.

Each array leaf gets its own generator seeded by (case seed, leaf path), so adding an
argument or reordering a mapping never changes the values of the other leaves.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from grader.spec import ArrayGen, ArrayLiteral

Tree = Any


def _leaf_rng(seed: int, path: str) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(path.encode())])


def _dtype(name: str) -> np.dtype[Any]:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _draw(gen: ArrayGen, rng: np.random.Generator) -> np.ndarray:
    dtype = _dtype(gen.dtype)
    shape = gen.shape
    arr: np.ndarray
    if gen.dist == "normal":
        arr = rng.standard_normal(shape) * gen.scale
    elif gen.dist == "uniform":
        arr = rng.uniform(gen.low, gen.high, shape)
    elif gen.dist == "randint":
        arr = rng.integers(int(gen.low), int(gen.high), shape)
    elif gen.dist == "arange":
        arr = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) * gen.scale
    elif gen.dist == "zeros":
        arr = np.zeros(shape)
    else:  # ones
        arr = np.ones(shape)
    return _c_array(arr, dtype)


# Bumped whenever the same front matter would materialise different inputs; part of the
# reference cache's key, so outputs computed under the old rules are never reused.
# 2: a scalar (shape [] or a literal number) stays 0-d; it used to become shape (1,).
CASES_VERSION = "2"


def _c_array(value: Any, dtype: Any) -> np.ndarray:
    """A C-contiguous copy with the given dtype; a scalar stays 0-d (np.ascontiguousarray
    would make it shape (1,))."""
    return np.array(value, dtype=dtype, order="C", copy=True)


def materialize(value: Any, seed: int, path: str = "") -> Tree:
    """ArrayGen/ArrayLiteral/dict/scalar description -> numpy arrays and Python scalars."""
    if isinstance(value, ArrayGen):
        return _draw(value, _leaf_rng(seed, path))
    if isinstance(value, ArrayLiteral):
        return _c_array(value.value, _dtype(value.dtype))
    if isinstance(value, dict):
        return {k: materialize(v, seed, f"{path}.{k}" if path else k) for k, v in value.items()}
    return value


def case_inputs(args: dict[str, Any], seed: int) -> dict[str, Tree]:
    return {name: materialize(value, seed, name) for name, value in args.items()}


def describe(tree: Tree, max_items: int = 8) -> str:
    """A short, human-readable preview of inputs or outputs for visible cases."""
    if isinstance(tree, dict):
        inner = ", ".join(f"{k}: {describe(v, max_items)}" for k, v in tree.items())
        return "{" + inner + "}"
    if isinstance(tree, list | tuple):
        inner = ", ".join(describe(v, max_items) for v in tree)
        return f"({inner})" if isinstance(tree, tuple) else f"[{inner}]"
    if isinstance(tree, np.ndarray):
        if tree.size <= max_items:
            body = np.array2string(tree, precision=4, separator=", ", suppress_small=True)
            return f"{body} ({tree.dtype})"
        flat = ", ".join(
            np.format_float_positional(float(v), precision=4, trim="-")
            if tree.dtype.kind == "f"
            else str(v)
            for v in tree.reshape(-1)[:max_items]
        )
        return f"{tree.dtype}{list(tree.shape)} [{flat}, ...]"
    return repr(tree)
