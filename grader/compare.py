"""Comparing a student's output pytree with the reference output, and explaining a mismatch.

The order of checks follows what a student can act on first: the tree structure, then per
leaf its shape, its dtype, its finiteness, and only then its values. The first failing
check wins and the message names the leaf (``output``, ``output[1]``, ``output["h"]``).

Both trees are trusted data by the time they get here: the reference output came from the
trusted reference runner, the student's from the strict wire decoder (numeric arrays only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from grader.result import Divergence
from grader.spec import Tolerance

Tree = Any
DtypePolicy = Literal["exact", "same_kind"]

# Sequences shorter than this are too short for "shifted by one step" to mean anything.
_MIN_SHIFT_LEN = 3


@dataclass(frozen=True)
class Comparison:
    passed: bool
    message: str
    divergence: Divergence | None = None


_PASS = Comparison(True, "output matches the reference")


def compare_outputs(
    expected: Tree,
    got: Tree,
    *,
    tolerance: Tolerance,
    dtype_policy: DtypePolicy = "same_kind",
    output_names: Sequence[str] | None = None,
    time_axes: Mapping[str, int] | None = None,
) -> Comparison:
    """Compare ``got`` with ``expected``: structure, then shape, dtype, finiteness, values.

    Args:
        expected: the reference output pytree (dicts, lists/tuples, numpy arrays, scalars).
        got: the student's output pytree, same kinds of nodes.
        tolerance: the problem's (``spec.Tolerance``): a leaf passes where
            ``|got - expected| <= atol + rtol * |expected|``, elementwise.
        dtype_policy: ``exact`` (same dtype) or ``same_kind`` (float/float, int/int, ...).
        output_names: optional names of a top-level tuple's entries, for messages only.
        time_axes: output leaf path (``output[1]``) -> its time axis, where it has one
            (the problem's ``time_axes``): only those leaves get "first differs at step
            t" and the shifted/reversed/suffix diagnoses; a final state or a batch has
            no steps.
    """
    tol = tolerance
    problem = _compare_structure(expected, got, "output", output_names)
    if problem is not None:
        return Comparison(False, problem)
    for path, exp_leaf, got_leaf in _paired_leaves(expected, got, "output"):
        axis = (time_axes or {}).get(path)
        result = _compare_leaf(path, exp_leaf, got_leaf, tol, dtype_policy, axis)
        if not result.passed:
            return result
    return _PASS


# --- structure -------------------------------------------------------------------------


def leaf_paths(tree: Tree) -> list[str]:
    """Every leaf's path, as messages name them (``output[1]['fc1']['kernel']``)."""
    return [path for path, _, _ in _paired_leaves(tree, tree, "output")]


def wrong_fractions(
    expected: Tree, got: Tree, *, tolerance: Tolerance, dtype_policy: DtypePolicy = "same_kind"
) -> dict[str, float]:
    """For trees of the same structure: each failing leaf's path and the fraction of its
    elements that are wrong (1.0 for a wrong shape or dtype); {} if the structure differs
    or nothing fails. For diagnoses that look at every leaf, not only the first."""
    if _compare_structure(expected, got, "output", None) is not None:
        return {}
    out: dict[str, float] = {}
    for path, exp_leaf, got_leaf in _paired_leaves(expected, got, "output"):
        result = _compare_leaf(path, exp_leaf, got_leaf, tolerance, dtype_policy, None)
        if result.passed:
            continue
        exp, out_leaf = _as_array(exp_leaf), _as_array(got_leaf)
        numeric = exp.dtype.kind in "biuf" and out_leaf.dtype.kind in "biuf"
        if exp.shape != out_leaf.shape or exp.size == 0 or not numeric:
            out[path] = 1.0
            continue
        bad, _ = _bad_elements(exp.astype(np.float64), out_leaf.astype(np.float64), tolerance)
        out[path] = float(np.mean(bad))
    return out


def _is_seq(tree: Tree) -> bool:
    return isinstance(tree, list | tuple)


def _is_leaf(tree: Tree) -> bool:
    return not (isinstance(tree, dict) or _is_seq(tree) or tree is None)


def describe_structure(tree: Tree) -> str:
    """'a single array of shape (16,)', 'a tuple of 2 outputs', 'a dict with keys a, b'."""
    if tree is None:
        return "None"
    if isinstance(tree, dict):
        keys = ", ".join(repr(k) for k in tree)
        return f"a dict with keys {keys}" if tree else "an empty dict"
    if _is_seq(tree):
        kind = "tuple" if isinstance(tree, tuple) else "list"
        n = len(tree)
        return f"a {kind} of {n} output{'s' if n != 1 else ''}"
    if isinstance(tree, np.ndarray) and tree.ndim > 0:
        return f"a single array of shape {tuple(tree.shape)}"
    return "a single scalar"


def _structure_message(path: str, expected: Tree, got: Tree) -> str:
    return (
        f"{path}: wrong structure: expected {describe_structure(expected)}, "
        f"got {describe_structure(got)}"
    )


def _compare_structure(
    expected: Tree, got: Tree, path: str, names: Sequence[str] | None
) -> str | None:
    if expected is None or got is None:
        if expected is None and got is None:
            return None
        return _structure_message(path, expected, got)
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _structure_message(path, expected, got)
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing key(s) " + ", ".join(repr(k) for k in missing))
            if extra:
                parts.append("unexpected key(s) " + ", ".join(repr(k) for k in extra))
            return f"{path}: wrong structure: " + "; ".join(parts)
        for key in expected:
            found = _compare_structure(expected[key], got[key], f"{path}[{key!r}]", None)
            if found:
                return found
        return None
    if _is_seq(expected):
        # A list where a tuple was expected (or the reverse) is the same answer: JAX treats
        # both as sequences of outputs, and students write either.
        if not _is_seq(got) or len(got) != len(expected):
            named = ""
            if names and len(names) == len(expected):
                named = " (" + ", ".join(names) + ")"
            return (
                f"{path}: wrong structure: expected {describe_structure(expected)}{named}, "
                f"got {describe_structure(got)}"
            )
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            found = _compare_structure(e, g, f"{path}[{i}]", None)
            if found:
                return found
        return None
    if not _is_leaf(got):
        return _structure_message(path, expected, got)
    return None


def _paired_leaves(expected: Tree, got: Tree, path: str) -> list[tuple[str, Any, Any]]:
    """Leaves of two trees already known to have the same structure, with their paths."""
    if expected is None:
        return []
    if isinstance(expected, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in expected:
            out.extend(_paired_leaves(expected[key], got[key], f"{path}[{key!r}]"))
        return out
    if _is_seq(expected):
        out = []
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            out.extend(_paired_leaves(e, g, f"{path}[{i}]"))
        return out
    return [(path, expected, got)]


# --- one leaf --------------------------------------------------------------------------


def _kind(dtype: np.dtype[Any]) -> str:
    if dtype.kind in "iu":
        return "integer"
    if dtype.kind == "f" or dtype.name == "bfloat16":
        return "floating"
    if dtype.kind == "c":
        return "complex"
    if dtype.kind == "b":
        return "bool"
    return dtype.kind


def _shape_hint(expected: tuple[int, ...], got: tuple[int, ...]) -> str:
    if len(expected) == 2 and got == expected[::-1] and expected[0] != expected[1]:
        return " — did you transpose?"
    if len(got) == len(expected) + 1 and got[1:] == expected and got[0] == 1:
        return " — an extra leading dimension of size 1: drop it (e.g. x[0] or squeeze)"
    if len(expected) == 1 and got == ():
        return (
            f" — you returned a single value (the final carry?), but all {expected[0]} steps "
            "are expected: return the stacked per-step outputs of the scan"
        )
    if len(expected) >= 1 and got == expected[1:]:
        return (
            f" — you returned one step, but all {expected[0]} steps are expected "
            "(return the stacked per-step outputs of the scan)"
        )
    if len(got) >= 1 and expected == got[1:]:
        return " — an extra leading axis: return only the final value, not every step"
    if len(got) == len(expected) and len(got) >= 1 and got[1:] == expected[1:]:
        diff = got[0] - expected[0]
        if abs(diff) == 1:
            return f" — one step {'too many' if diff > 0 else 'too few'} along axis 0"
    if int(np.prod(got)) == int(np.prod(expected)):
        return " — same number of elements in a different layout: check reshapes and axes"
    return ""


def _dtype_hint(expected: np.dtype[Any], got: np.dtype[Any]) -> str:
    if _kind(expected) == "integer" and _kind(got) == "floating":
        return (
            f" — cast with .astype(jnp.{expected.name}), or start from an "
            f"{expected.name} value so the whole computation stays integer"
        )
    if _kind(expected) == "floating" and _kind(got) == "integer":
        return " — integer arithmetic somewhere (an int initial carry?); start from a float"
    return ""


def _as_array(value: Any) -> np.ndarray:
    return np.asarray(value)


def _compare_leaf(
    path: str, expected: Any, got: Any, tol: Tolerance, policy: DtypePolicy, axis: int | None
) -> Comparison:
    exp = _as_array(expected)
    out = _as_array(got)
    if axis is not None and not -exp.ndim <= axis < exp.ndim:
        axis = None  # a spec naming an axis this leaf lacks: no step wording, no error
    elif axis is not None:
        axis %= exp.ndim
    if exp.shape != out.shape:
        hint = _shape_hint(tuple(exp.shape), tuple(out.shape))
        return Comparison(
            False,
            f"{path}: expected shape {tuple(exp.shape)}, got {tuple(out.shape)}{hint}",
            Divergence(leaf=path),
        )
    same = exp.dtype == out.dtype if policy == "exact" else _kind(exp.dtype) == _kind(out.dtype)
    if not same:
        return Comparison(
            False,
            f"{path}: wrong dtype: expected {exp.dtype.name}, got {out.dtype.name}"
            + _dtype_hint(exp.dtype, out.dtype),
            Divergence(leaf=path),
        )
    if exp.size == 0:
        return _PASS
    if exp.dtype.kind == "b" or out.dtype.kind == "b":
        bad = exp != out
        if not bad.any():
            return _PASS
        return _value_mismatch(path, exp, out, bad, None, None, axis)
    return _compare_values(path, exp, out, tol, axis)


def _compare_values(
    path: str, exp: np.ndarray, out: np.ndarray, tol: Tolerance, axis: int | None
) -> Comparison:
    e = exp.astype(np.complex128 if exp.dtype.kind == "c" else np.float64)
    g = out.astype(e.dtype)
    exp_finite = np.isfinite(e)
    got_finite = np.isfinite(g)
    # Non-finite values where the reference is finite fail on their own, with a message of
    # their own: ``nan <= atol + rtol*|e|`` is False, so allclose would already fail them,
    # but "NaN at step 3" is more useful than "largest error nan".
    broken = exp_finite & ~got_finite
    if broken.any():
        idx = _first_index(broken)
        n = int(broken.sum())
        what = _nonfinite_name(g[broken])
        return Comparison(
            False,
            f"{path}: {n} value{'s are' if n != 1 else ' is'} {what} where the reference is "
            f"finite (first at index {list(idx)}) — look for a division by zero, log of a "
            "non-positive number, or an overflowing value",
            Divergence(leaf=path, worst_index=list(idx), first_bad_step=_first_step(broken, axis)),
        )
    bad, abs_err = _bad_elements(e, g, tol)
    if not bad.any():
        return _PASS
    return _value_mismatch(path, exp, out, bad, abs_err, e, axis)


def _bad_elements(e: np.ndarray, g: np.ndarray, tol: Tolerance) -> tuple[np.ndarray, np.ndarray]:
    """Which elements of ``g`` miss the reference ``e`` (both float64 or complex128), and
    the absolute errors where ``e`` is finite: the one definition of "within tolerance"."""
    exp_finite = np.isfinite(e)
    # Where the reference itself is NaN the student must produce NaN too, and where it is
    # +/-inf the same infinity: NaN != NaN, so this is NOT the same as `e == g` there.
    nonfinite_ok = np.where(np.isnan(e), np.isnan(g), e == g)
    with np.errstate(invalid="ignore", over="ignore"):
        abs_err = np.where(exp_finite, np.abs(g - e), 0.0)
        allowed = tol.atol + tol.rtol * np.abs(np.where(exp_finite, e, 0.0))
    # `~(err <= allowed)`, not `err > allowed`: a NaN where the reference is finite misses.
    return np.where(exp_finite, ~(abs_err <= allowed), ~nonfinite_ok), abs_err


def _value_mismatch(
    path: str,
    exp: np.ndarray,
    out: np.ndarray,
    bad: np.ndarray,
    abs_err: np.ndarray | None,
    e64: np.ndarray | None,
    axis: int | None,
) -> Comparison:
    worst: tuple[int, ...]
    max_abs: float | None
    max_rel: float | None
    if abs_err is not None and e64 is not None:
        masked = np.where(bad, abs_err, -1.0)
        flat = int(np.argmax(masked))
        worst = tuple(int(i) for i in np.unravel_index(flat, exp.shape)) if exp.ndim else ()
        max_abs = float(abs_err[worst]) if exp.ndim else float(abs_err)
        # Relative error is undefined where the reference is 0 (or not finite): those
        # elements count only in the absolute error.
        nonzero = bad & np.isfinite(e64) & (e64 != 0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rel = np.where(nonzero, abs_err / np.abs(np.where(nonzero, e64, 1.0)), 0.0)
        max_rel = float(np.max(rel)) if nonzero.any() else None
    else:
        worst = _first_index(bad)
        max_abs = max_rel = None
    worst_list = [int(i) for i in worst]
    step = _first_step(bad, axis)
    count = int(bad.sum())
    plural = "s" if exp.size != 1 else ""
    parts = [f"{path}: value mismatch in {count} of {exp.size} element{plural}"]
    if max_abs is not None:
        where = f" at index {worst_list}" if exp.ndim else ""
        parts.append(
            f"largest error {max_abs:.4g}{where} (expected {_fmt(exp[worst])}, "
            f"got {_fmt(out[worst])}"
            + (f"; relative error up to {max_rel:.3g})" if max_rel is not None else ")")
        )
    else:
        parts.append(f"first at index {worst_list}")
    if step is not None and axis is not None:
        suffix = f" (axis {axis})" if exp.ndim > 1 else ""
        parts.append(f"first differs at step {step} of {exp.shape[axis]}{suffix}")
    shift = _shift_pattern(exp, out, axis) if axis is not None else None
    if shift:
        parts.append(shift)
    return Comparison(
        False,
        "; ".join(parts),
        Divergence(
            leaf=path,
            max_abs_error=max_abs,
            max_rel_error=max_rel,
            worst_index=worst_list,
            first_bad_step=step,
        ),
    )


def _fmt(value: Any) -> str:
    v = np.asarray(value)
    if v.dtype.kind == "f":
        return np.format_float_positional(float(v), precision=6, trim="-")
    return str(v.item()) if v.ndim == 0 else str(v)


def _nonfinite_name(values: np.ndarray) -> str:
    has_nan = bool(np.isnan(values).any())
    has_inf = bool(np.isinf(values).any())
    if has_nan and has_inf:
        return "NaN or inf"
    return "NaN" if has_nan else "inf"


def _first_index(mask: np.ndarray) -> tuple[int, ...]:
    if mask.ndim == 0:
        return ()
    flat = int(np.argmax(mask.reshape(-1)))
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def _first_step(mask: np.ndarray, axis: int | None) -> int | None:
    """The first index along the time axis where something fails (None: no time axis)."""
    if axis is None or mask.ndim == 0 or mask.shape[axis] == 0:
        return None
    moved = np.moveaxis(mask, axis, 0)
    per_step = moved.reshape(moved.shape[0], -1).any(axis=1)
    return int(np.argmax(per_step)) if per_step.any() else None


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.size == 0:
        return False
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    scale = max(float(np.max(np.abs(b64))), 1.0) if np.isfinite(b64).all() else 1.0
    return bool(np.allclose(a64, b64, rtol=1e-4, atol=1e-5 * scale))


def _shift_pattern(exp: np.ndarray, out: np.ndarray, axis: int) -> str | None:
    """Recognise outputs that are the reference moved along its time axis, reversed, or
    (for a running sum) the sums from the other end."""
    if exp.dtype.kind not in "iuf" or out.dtype.kind not in "iuf":
        return None
    n = exp.shape[axis]
    if n < _MIN_SHIFT_LEN:
        return None
    e = np.moveaxis(exp, axis, 0)
    g = np.moveaxis(out, axis, 0)
    where = "" if exp.ndim == 1 else f" along axis {axis}"
    if _close(g[1:], e[:-1]):
        return (
            f"your output looks shifted by one step{where}: output[t] equals the expected "
            "output[t-1] — an exclusive scan? emit the carry after the update, not before"
        )
    if _close(g[:-1], e[1:]):
        return (
            f"your output looks shifted by one step{where}: output[t] equals the expected "
            "output[t+1] — did you skip the first step or emit the next step's value?"
        )
    if _close(g, e[::-1]):
        return (
            f"your output is the expected output reversed{where}: check which way your "
            "scan runs (`reverse=`), and if you flipped the inputs, flip the outputs back"
        )
    # Running sums P[t] = x[0] + ... + x[t] against suffix sums S[t] = x[t] + ... + x[T-1]
    # = P[T-1] - P[t-1]: the same sums, accumulated from the other end.
    e64 = e.astype(np.float64)
    suffix = e64[-1] - np.concatenate([np.zeros_like(e64[:1]), e64[:-1]])
    if not _close(e64, suffix) and _close(g, suffix):
        return (
            f"your output holds the sums from the other end{where} (output[t] adds up "
            "x[t] ... x[T-1]): your scan ran backwards — drop `reverse=True`, or if you "
            "flipped the inputs, flip the outputs back"
        )
    # And the other way round: S expected, P = S[0] - S[t+1] got.
    prefix = e64[0] - np.concatenate([e64[1:], np.zeros_like(e64[:1])])
    if not _close(e64, prefix) and _close(g, prefix):
        return (
            f"your output holds running sums from the start{where} (output[t] adds up "
            "x[0] ... x[t]), where this asks for sums to the end: scan with `reverse=True`"
        )
    return None
