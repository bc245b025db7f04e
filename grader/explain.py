"""Translate exceptions from a student's code into advice a student can act on.

The input is untrusted text reported by the sandbox (exception type name, message, line
in the student's file, student frames). We only match it against known patterns of JAX
and Flax errors and attach a hint; the student's own line number is kept as reported.
Unrecognised errors pass through with no hint rather than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grader.result import StudentError
from grader.sandbox.protocol import RawStudentError

MAX_MESSAGE_CHARS = 2000
MAX_TRACEBACK_CHARS = 4000

# Names students use without importing them, and the import that defines each.
IMPORT_FOR_NAME = {
    "jnp": "import jax.numpy as jnp",
    "jax": "import jax",
    "lax": "from jax import lax",
    "np": "import numpy as np",
    "nn": "import flax.linen as nn",
    "nnx": "from flax import nnx",
    "partial": "from functools import partial",
    "random": "from jax import random",
    "vmap": "from jax import vmap",
    "jit": "from jax import jit",
}


@dataclass(frozen=True)
class _Context:
    type: str
    message: str
    entry_point: str | None
    static_argnames: tuple[str, ...]


_Rule = Callable[[_Context], str | None]


def _static_clause(ctx: _Context) -> str:
    if not ctx.static_argnames:
        return ""
    names = ", ".join(f"`{n}`" for n in ctx.static_argnames)
    return f" In this problem {names} {'is' if len(ctx.static_argnames) == 1 else 'are'} static."


def _syntax(ctx: _Context) -> str | None:
    if ctx.type not in ("SyntaxError", "IndentationError", "TabError"):
        return None
    return (
        "Python could not read your file: fix the syntax at the line shown (look also at the "
        "line just before it, for an unclosed bracket or a missing colon)."
    )


def _missing_entry(ctx: _Context) -> str | None:
    text = ctx.message.lower()
    markers = (
        "entry point",
        "no function named",
        "expected a function named",
        "does not define",
        "is not defined in",
    )
    if not any(m in text for m in markers) and ctx.type not in ("MissingEntryPoint",):
        return None
    name = f"`{ctx.entry_point}`" if ctx.entry_point else "the function the problem names"
    return (
        f"The grader calls a function named {name}. Define it at the top level of your file "
        "with exactly that name (check spelling and that it is not nested in another function)."
    )


def _name_error(ctx: _Context) -> str | None:
    if ctx.type != "NameError":
        return None
    m = re.search(r"name '([A-Za-z_][A-Za-z0-9_]*)' is not defined", ctx.message)
    if not m:
        return None
    name = m.group(1)
    if name in IMPORT_FOR_NAME:
        return f"`{name}` is used but never imported: add `{IMPORT_FOR_NAME[name]}` at the top."
    return f"`{name}` is used before it is defined: check its spelling, or define or import it."


def _import_error(ctx: _Context) -> str | None:
    if ctx.type not in ("ImportError", "ModuleNotFoundError"):
        return None
    m = re.search(r"No module named '([^']+)'", ctx.message)
    if m:
        return (
            f"The module `{m.group(1)}` is not available in the grader: only jax, flax, numpy, "
            "scipy and Python's standard library can be imported."
        )
    return "Check the name you import and where you import it from (e.g. `from jax import lax`)."


def _tracer_bool(ctx: _Context) -> str | None:
    if ctx.type != "TracerBoolConversionError" and "boolean conversion of traced" not in (
        ctx.message
    ):
        return None
    return (
        "A Python `if`, `while`, `and`/`or` or `bool()` looked at a traced value: under "
        "jax.jit values are unknown while tracing. Use jnp.where or lax.cond for a "
        "data-dependent choice, lax.scan/lax.fori_loop for loops, or branch only on static "
        "arguments." + _static_clause(ctx)
    )


def _tracer_int(ctx: _Context) -> str | None:
    concretization = ctx.type in (
        "ConcretizationTypeError",
        "TracerIntegerConversionError",
        "TracerArrayConversionError",
    )
    static_slice = "must be static integers" in ctx.message
    if not (concretization or static_slice):
        return None
    if ctx.type == "TracerArrayConversionError":
        return (
            "A traced value was converted to a NumPy array (np.asarray, np.* functions, "
            "float()): inside jax.jit use jnp functions instead of np ones."
        )
    return (
        "A traced value was used where Python needs a concrete number (`int()`, `range()`, a "
        "shape, a slice bound): under jax.jit array values are unknown while tracing. Take "
        "sizes from static arguments or from `x.shape`, use lax.cond instead of Python "
        "control flow, or mark the argument static." + _static_clause(ctx)
    )


def _scan_carry(ctx: _Context) -> str | None:
    if "carry input and carry output" not in ctx.message and "carry output" not in ctx.message:
        return None
    detail = re.search(r"(The input carry[^\n]*)", ctx.message)
    hint = (
        "The carry you return from the step function must have the same shape and dtype "
        "(and the same tuple/dict structure) as the initial carry you give lax.scan"
    )
    if detail:
        hint += ": " + detail.group(1).strip()
    else:
        hint += "."
    if "dtypes do not match" in ctx.message:
        hint += " Start from a carry of the right dtype, e.g. jnp.zeros((), x.dtype) or "
        hint += "jnp.int32(1), or cast the new carry with .astype."
    elif "shapes do not match" in ctx.message:
        hint += " Return the new carry itself from the step, not a stack or slice of it."
    return hint


def _flax_in_transform(ctx: _Context) -> str | None:
    text = ctx.message
    flax_markers = (
        "different trace level",
        "Jax transforms and Flax models cannot be mixed",
        "JaxTransformError",
        "TraceContextError",
    )
    # A linen ``self.param``/submodule inside a scan body leaks from a Module method.
    leaked_from_flax = ctx.type == "UnexpectedTracerError" and (
        "flax" in text or ".__call__.<locals>" in text
    )
    if not (
        ctx.type in ("TraceContextError", "JaxTransformError")
        or any(m in text for m in flax_markers)
        or leaked_from_flax
    ):
        return None
    return (
        "A Flax module (or its Rngs/parameters) was created or changed inside a JAX transform "
        "such as the body of lax.scan. Create the module once, outside the step function, and "
        "only call it inside; or lift the whole cell with nn.scan (linen) or nnx.scan (nnx)."
    )


def _leaked_tracer(ctx: _Context) -> str | None:
    # Exporting a program with an escaped tracer fails with the PyTreeDef message.
    escaped_on_export = ctx.type == "ValueError" and "Too many leaves for PyTreeDef" in ctx.message
    if ctx.type != "UnexpectedTracerError" and not escaped_on_export:
        return None
    return (
        "A traced value escaped its transform: inside jax.jit or a lax.scan step, return "
        "values instead of storing them in globals, lists outside the function, or on objects."
    )


def _rng_seed(ctx: _Context) -> str | None:
    if "Invalid rng value" not in ctx.message and "PRNGKey" not in ctx.message:
        return None
    return (
        "A random key or nnx.Rngs was built from a traced value: the seed must be a concrete "
        "Python int (a static argument) or a jax.random key." + _static_clause(ctx)
    )


def _vmap_scan(ctx: _Context) -> str | None:
    if not re.search(r"of type '<class 'function'>' is not a valid JAX type", ctx.message):
        return None
    return (
        "A function was passed where JAX expected an array, usually from "
        "`jax.vmap(lax.scan)(step, ...)`: vmap maps over array arguments, and the step "
        "function is not one. vmap a function that calls lax.scan instead, e.g. "
        "`jax.vmap(lambda row: lax.scan(step, 0.0, row)[1])(x_batch)`."
    )


def _linen_scan_setup(ctx: _Context) -> str | None:
    if ctx.type == "ScopeCollectionNotFound" or "but the collection is empty" in ctx.message:
        return (
            "Flax found no parameters where it looked for them. With nn.scan, share the "
            "parameters across steps with `variable_broadcast='params'` and "
            "`split_rngs={'params': False}`, and apply the module with the `variables` given."
        )
    if re.search(r"has no attribute '?_state'?", ctx.message):
        return (
            "nn.scan lifts a Module class, not a plain function: define the step as a "
            "linen Module (a cell) and pass that class to nn.scan."
        )
    return None


def _flax_param_shape(ctx: _Context) -> str | None:
    if ctx.type != "ScopeParamShapeError" and "the given initializer is expected" not in (
        ctx.message
    ):
        return None
    return (
        "A parameter passed in does not have the shape the module creates. With nn.scan, "
        "share one set of weights across steps with `variable_broadcast='params'` (not "
        "`variable_axes={'params': 0}`, which expects a separate set per step), and check "
        "the kernel orientation: a Dense kernel has shape (in_features, out_features)."
    )


def _shape_mismatch(ctx: _Context) -> str | None:
    text = ctx.message
    markers = (
        "dot_general requires contracting dimensions",
        "incompatible shapes for broadcasting",
        "matmul",
        "shapes must be",
        "Incompatible shapes",
    )
    if not any(m in text for m in markers):
        return None
    return (
        "Two arrays' shapes do not fit together in a matrix product or an elementwise "
        "operation. Print the shapes involved (`x.shape`) and check the orientation of your "
        "weights: `h @ W` multiplies by W's first axis, `W @ h` by its last."
    )


_RULES: tuple[_Rule, ...] = (
    _syntax,
    _name_error,
    _import_error,
    _missing_entry,
    _scan_carry,
    _tracer_bool,
    _tracer_int,
    _flax_in_transform,
    _leaked_tracer,
    _rng_seed,
    _vmap_scan,
    _linen_scan_setup,
    _flax_param_shape,
    _shape_mismatch,
)


def hint_for(
    type_name: str,
    message: str,
    *,
    entry_point: str | None = None,
    static_argnames: Sequence[str] = (),
) -> str | None:
    """The first matching piece of advice for an error, or None if we do not recognise it."""
    ctx = _Context(type_name, message, entry_point, tuple(static_argnames))
    for rule in _RULES:
        hint = rule(ctx)
        if hint:
            return hint
    return None


# The runner jits a wrapper around the entry point (grader/exporting.py) that takes the
# dynamic arguments as one dict; JAX names both in its messages. Say what the student wrote.
_WRAPPER_RE = re.compile(r"the function program at \S*exporting\.py:\d+")
_ARG_RE = re.compile(r"args\[['\"]([A-Za-z_][A-Za-z0-9_]{0,63})['\"]\]")


def _clean_message(message: str, entry_point: str | None = None) -> str:
    # JAX appends documentation links and a traceback-filtering notice; the link is useful,
    # the notice is noise to a student.
    notice = r"\n*-{5,}\s*\nFor simplicity, JAX has removed its internal frames.*\Z"
    text = re.sub(notice, "", message, flags=re.S)
    yours = f"your function `{entry_point}`" if entry_point else "your function"
    text = _WRAPPER_RE.sub(yours, text)
    text = _ARG_RE.sub(r"`\1`", text)
    text = text.strip()
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return text


# Where JAX's messages point into the student's file (the sandbox names it submission.py).
_CREATED_AT_RE = re.compile(r"created on line submission\.py:(\d+)")
_ANY_LINE_RE = re.compile(r"submission\.py:(\d+)")


MAX_LINE_DIGITS = 6  # a submission is at most a few thousand lines


def _line_from_message(message: str) -> int | None:
    """The student's line named in a JAX message, for errors raised outside their frames."""
    found = _CREATED_AT_RE.search(message) or _ANY_LINE_RE.search(message)
    if not found or len(found.group(1)) > MAX_LINE_DIGITS:  # untrusted text: keep it bounded
        return None
    return int(found.group(1))


def explain_error(
    raw: RawStudentError,
    *,
    entry_point: str | None = None,
    static_argnames: Sequence[str] = (),
) -> StudentError:
    """A :class:`StudentError` with the student's line number and a hint when we have one."""
    type_name = raw.type.rsplit(".", 1)[-1] or "Exception"
    message = _clean_message(raw.message, entry_point)
    traceback = raw.traceback[-MAX_TRACEBACK_CHARS:] if raw.traceback else None
    return StudentError(
        type=type_name,
        message=message,
        line=(
            raw.lineno
            if raw.lineno and 0 < raw.lineno < 10**MAX_LINE_DIGITS
            else _line_from_message(raw.message)
        ),
        hint=hint_for(
            type_name, raw.message, entry_point=entry_point, static_argnames=static_argnames
        ),
        traceback=traceback,
    )


def one_line(error: StudentError) -> str:
    """'TypeError on line 7: ...' with the message cut at its first line."""
    first = error.message.splitlines()[0] if error.message else ""
    where = f" on line {error.line}" if error.line else ""
    return f"{error.type}{where}: {first}"
