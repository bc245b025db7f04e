"""Structural checks on the exported programs of the judged cases.

Every fact a check can pass on is derived by the executor from the program the student's
code produced (its StableHLO), for every judged case, so no probe can be told apart from
a judged call:

- ``uses: [scan]``: each program has a loop (``stablehlo.while``) whose results reach the
  output and matter: perturbing them moves the output beyond tolerance. ``lax.scan``,
  ``lax.fori_loop`` and ``lax.while_loop`` all compile to that loop, so all three pass;
  ``jnp.cumsum``, a Python loop, or a scan whose result is thrown away or multiplied by
  zero do not.
- ``not_unrolled``: the program's size does not grow from the smallest judged case to the
  largest (an unrolled Python loop grows with the sequence length or the batch size).
- ``forbid``: operations a problem rules out, each with its own message.

What only the runner saw (it may have lied) is advice, never a check: ``vmap``.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.result import CheckResult
from grader.sandbox.protocol import CaseOutcome
from grader.spec import ProblemSpec

NOT_CHECKED = "not checked because your code raised an error before any program was built"
TITLES = {"uses_scan": "Uses lax.scan", "not_unrolled": "Loop not unrolled"}


def _check(name: str, passed: bool, message: str, *, title: str = "") -> CheckResult:
    return CheckResult(name=name, passed=passed, message=message, title=title or TITLES[name])


def _not_checked(name: str, *, title: str = "") -> CheckResult:
    return CheckResult(
        name=name, passed=False, ran=False, message=NOT_CHECKED, title=title or TITLES[name]
    )


def _programs(outcomes: Sequence[CaseOutcome]) -> list[CaseOutcome]:
    return [c for c in outcomes if c.facts is not None]


def _uses_loop(outcomes: Sequence[CaseOutcome]) -> CheckResult:
    name = "uses_scan"
    programs = _programs(outcomes)
    if not programs:
        return _not_checked(name)
    without = [c for c in programs if c.facts is not None and c.facts.loops == 0]
    if without:
        if any(_parallel_scan(c) for c in without):
            return _check(name, False, PARALLEL_SCAN)
        return _check(
            name,
            False,
            (
                "your program contains no loop: compute it with `jax.lax.scan` "
                "(a Python loop is unrolled while tracing, and `jnp.cumsum` is not a scan)"
            ),
        )
    idle = [c for c in programs if c.loop_matters is False]
    if idle:
        return _check(
            name,
            False,
            (
                "your program has a loop, but its results do not reach the output: changing "
                "them leaves your answer unchanged, so the answer is computed some other way. "
                "Return what `jax.lax.scan` computes"
            ),
        )
    return _check(name, True, "your program computes its output with a loop")


PARALLEL_SCAN = (
    "your program looks like `jax.lax.associative_scan` (no loop, and interleaving "
    "pads): a parallel scan, which builds about log2(T) levels of operations, so its "
    "program grows with the length. It is a fine tool, but this problem asks for the "
    "sequential `jax.lax.scan`, one step at a time with a carry"
)


def _parallel_scan(outcome: CaseOutcome) -> bool:
    """The executor's facts of an ``associative_scan`` program: no loop, and the pads
    (with interior padding) that interleave its even and odd elements. An unrolled
    Python loop stacks slices and adds; it pads nothing."""
    facts = outcome.facts
    return facts is not None and facts.loops == 0 and facts.op_counts.get("stablehlo.pad", 0) >= 2


def _not_unrolled(
    spec: ProblemSpec, outcomes: Sequence[CaseOutcome], labels: dict[str, str]
) -> CheckResult:
    name = "not_unrolled"
    nu = spec.structure.not_unrolled
    assert nu is not None
    programs = _programs(outcomes)
    if not programs:
        return _not_checked(name)
    small = min(programs, key=lambda c: c.facts.op_count if c.facts else 0)
    large = max(programs, key=lambda c: c.facts.op_count if c.facts else 0)
    assert small.facts is not None and large.facts is not None
    a, b = small.facts.op_count, large.facts.op_count
    sizes = (
        f"your program has {a} operations for {labels.get(small.name, small.name)} "
        f"and {b} for {labels.get(large.name, large.name)}"
    )
    if b > max(a, 1) * nu.max_growth:
        if nu.advice is None and _parallel_scan(large):
            return _check(name, False, f"{sizes}: {PARALLEL_SCAN}")
        return _check(
            name,
            False,
            (
                f"{sizes}: it grows with the input, so a loop was unrolled in Python; "
                + (nu.advice or "use `jax.lax.scan` (and `jax.vmap` for a batch)")
            ),
        )
    if len(programs) == 1 or a == b:
        return _check(
            name, True, f"your program has {a} operations for every input: the loop is not unrolled"
        )
    return _check(name, True, f"{sizes}: the loop is not unrolled")


def _forbidden(spec: ProblemSpec, outcomes: Sequence[CaseOutcome]) -> list[CheckResult]:
    checks = []
    programs = _programs(outcomes)
    for rule in spec.structure.forbid:
        short = rule.op.split(".", 1)[-1]
        name = f"no_{short}"
        title = f"Does not use {short}"
        if not programs:
            checks.append(_not_checked(name, title=title))
            continue
        used = any(c.facts is not None and c.facts.op_counts.get(rule.op) for c in programs)
        if used:
            checks.append(_check(name, False, rule.message, title=title))
        else:
            checks.append(_check(name, True, f"your program uses no `{rule.op}`", title=title))
    return checks


def run_structure_checks(
    spec: ProblemSpec,
    outcomes: Sequence[CaseOutcome],
    labels: dict[str, str] | None = None,
) -> list[CheckResult]:
    """Every check the spec asks for, in a stable order: uses, not_unrolled, forbid.

    Args:
        spec: the problem's spec.
        outcomes: the judged cases as the executor ran them (with their programs' facts).
        labels: case name -> how to name it in a message (e.g. "the case `long-rows`").
    """
    st = spec.structure
    names = labels or {c.name: f"case `{c.name}`" for c in outcomes}
    checks = []
    if "scan" in st.uses:
        checks.append(_uses_loop(outcomes))
    if st.not_unrolled is not None:
        checks.append(_not_unrolled(spec, outcomes, names))
    checks.extend(_forbidden(spec, outcomes))
    return checks


def advice(spec: ProblemSpec, outcomes: Sequence[CaseOutcome]) -> list[str]:
    """What the runner saw that is worth saying (never a verdict)."""
    notes = []
    ran = [c for c in outcomes if c.facts is not None]
    if spec.structure.vmap and ran and not any(c.vmap_calls for c in ran):
        notes.append(
            "You never call `jax.vmap`. A scan over time with a batched carry is accepted, "
            "but writing the per-row computation once and mapping it with `jax.vmap` is "
            "what this problem teaches."
        )
    return notes
