"""Structural checks on the student's jaxpr: ``uses``, ``not_unrolled`` and ``vmap``.

The facts come from the sandbox (it traced the student's function on named probe
arguments); they are untrusted numbers used for teaching, never for safety. Each check
names the fix in its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.explain import explain_error, one_line
from grader.result import CheckResult
from grader.sandbox.protocol import JaxprFacts
from grader.spec import ProblemSpec

Tree = Any

# Probe names sent to the sandbox. ``short``/``long`` come from ``structure.not_unrolled``;
# ``main`` (the first case's arguments) is traced when only ``uses``/``vmap`` are asked for.
SHORT, LONG, MAIN = "short", "long", "main"

# What students reach for instead of lax.scan, by the primitive it leaves in the jaxpr.
_ALTERNATIVES = {
    "cumsum": "jnp.cumsum",
    "cumprod": "jnp.cumprod",
    "cummax": "a cumulative max",
    "while": "lax.fori_loop/lax.while_loop",
}


def structure_probe_names(spec: ProblemSpec) -> tuple[str, ...]:
    """The probes the sandbox must trace for this problem's structural checks."""
    st = spec.structure
    if st.not_unrolled is not None:
        return (SHORT, LONG)
    if st.uses or st.vmap:
        return (MAIN,)
    return ()


def _facts_probe(spec: ProblemSpec) -> str:
    return SHORT if spec.structure.not_unrolled is not None else MAIN


def _probe_failure(
    name: str, facts: JaxprFacts | None, spec: ProblemSpec, what: str, redact: bool
) -> CheckResult | None:
    if facts is None:
        return CheckResult(
            name=name,
            passed=False,
            message=f"could not check {what}: your function was not traced for this check",
        )
    if facts.error is not None:
        err = explain_error(
            facts.error, entry_point=spec.entry_point, static_argnames=spec.static_argnames
        )
        if redact:
            where = f" on line {err.line}" if err.line else ""
            message = f"could not trace your function to check {what}: {err.type}{where}"
        else:
            message = f"could not trace your function to check {what}: {one_line(err)}"
        if err.hint:
            message += f" — {err.hint}"
        return CheckResult(name=name, passed=False, message=message)
    return None


def _uses(primitive: str, facts: JaxprFacts | None, spec: ProblemSpec, redact: bool) -> CheckResult:
    name = f"uses_{primitive}"
    failed = _probe_failure(name, facts, spec, f"that you use `{primitive}`", redact)
    if failed is not None:
        return failed
    assert facts is not None
    if facts.primitives.get(primitive, 0) > 0:
        return CheckResult(name=name, passed=True, message=f"your jaxpr uses `{primitive}`")
    message = f"your jaxpr contains no `{primitive}`"
    if primitive == "scan":
        used = [label for prim, label in _ALTERNATIVES.items() if facts.primitives.get(prim)]
        message += ": the loop must be computed by jax.lax.scan, not jnp.cumsum or a Python loop"
        if used:
            message += f" (your code uses {', '.join(used)})"
    else:
        message += f": this problem asks you to use `{primitive}`"
    return CheckResult(name=name, passed=False, message=message)


def _size_label(short: Mapping[str, Tree], long: Mapping[str, Tree]) -> tuple[str, str]:
    """('T=16', 'T=32') from the first argument that differs between the two probes."""
    for key in short:
        a, b = short[key], long.get(key)
        if isinstance(a, bool) or isinstance(b, bool):
            continue
        if isinstance(a, int | float) and isinstance(b, int | float) and a != b:
            return f"{key}={a}", f"{key}={b}"
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
            differing = [(da, db) for da, db in zip(a.shape, b.shape, strict=False) if da != db]
            if len(differing) == 1 and a.ndim == b.ndim:
                return f"T={differing[0][0]}", f"T={differing[0][1]}"
            return f"{key} shape {tuple(a.shape)}", f"{key} shape {tuple(b.shape)}"
        if isinstance(a, dict) and isinstance(b, dict):
            found = _size_label(a, b)
            if found != ("the short input", "the long input"):
                return found
    return "the short input", "the long input"


def _not_unrolled(
    facts: Mapping[str, JaxprFacts],
    spec: ProblemSpec,
    probe_args: Mapping[str, Mapping[str, Tree]],
    redact: bool,
) -> CheckResult:
    name = "not_unrolled"
    nu = spec.structure.not_unrolled
    assert nu is not None
    for probe in (SHORT, LONG):
        failed = _probe_failure(
            name, facts.get(probe), spec, "that your loop is not unrolled", redact
        )
        if failed is not None:
            return failed
    short, long = facts[SHORT], facts[LONG]
    s_label, l_label = _size_label(probe_args.get(SHORT, {}), probe_args.get(LONG, {}))
    sizes = (
        f"your jaxpr has {short.eqn_count} equations at {s_label} and {long.eqn_count} at {l_label}"
    )
    if long.eqn_count > max(short.eqn_count, 1) * nu.max_growth:
        return CheckResult(
            name=name,
            passed=False,
            message=f"{sizes}: the loop was unrolled in Python; use lax.scan",
        )
    return CheckResult(name=name, passed=True, message=f"{sizes}: the loop is not unrolled")


def _vmap(facts: JaxprFacts | None, spec: ProblemSpec, redact: bool) -> CheckResult:
    name = "vmap"
    failed = _probe_failure(name, facts, spec, "that you batch with jax.vmap", redact)
    if failed is not None:
        return failed
    assert facts is not None
    if facts.vmap_calls > 0:
        return CheckResult(name=name, passed=True, message="your function batches with jax.vmap")
    return CheckResult(
        name=name,
        passed=False,
        message=(
            "batch with jax.vmap: your function never calls jax.vmap (write the per-row "
            "computation once and map it over the batch, instead of a Python loop over rows "
            "or a scan over the whole batch)"
        ),
    )


def run_structure_checks(
    spec: ProblemSpec,
    facts: Mapping[str, JaxprFacts],
    probe_args: Mapping[str, Mapping[str, Tree]] | None = None,
    *,
    redact: bool = False,
) -> list[CheckResult]:
    """Every check the spec asks for, in a stable order: uses, not_unrolled, vmap.

    Args:
        spec: the problem's spec.
        facts: probe name -> what the sandbox found when tracing it.
        probe_args: probe name -> the arguments it was traced with (for sizes in messages).
        redact: leave the student's exception text out of messages (submit mode).
    """
    st = spec.structure
    main = facts.get(_facts_probe(spec))
    checks = [_uses(primitive, main, spec, redact) for primitive in st.uses]
    if st.not_unrolled is not None:
        checks.append(_not_unrolled(facts, spec, probe_args or {}, redact))
    if st.vmap:
        checks.append(_vmap(main, spec, redact))
    return checks
