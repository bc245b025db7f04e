"""Checks on transformed programs: ``checks: {grad, vmap_consistent}`` in the front matter.

Both are judged on programs the runner exports and the executor runs, like every case:
the trusted side adds *derived cases* to the request, each an ordinary case whose program
is the entry point transformed (:func:`grader.execution.build_program`):

- ``grad:<case>``: ``jax.grad`` of ``L = sum_k <w_k, out_k>`` (the output's float leaves,
  weights drawn from the case seed) with respect to the check's ``wrt`` arguments; its
  expected output is the reference's gradient, computed by the trusted reference runner.
- ``vmap:<case>``: ``jax.vmap`` of the entry point over the check's ``over`` arguments,
  stacked from ``size`` examples: the case's own inputs and ``vmap:<case>#1``... (plain
  cases, drawn like the case from other seeds). It passes when each slice of the batched
  output equals the student's own output on that example: a self-consistency check, so a
  wrong answer is the cases' business, not this check's.

Derived cases of hidden cases are hidden too: their checks say "on a hidden case" and
never show a value. No JAX here: numpy and the spec only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from grader.cases import case_inputs
from grader.compare import compare_outputs
from grader.execution import WEIGHTS, float_leaves
from grader.result import CheckResult, Divergence
from grader.sandbox.codec import as_arrays
from grader.sandbox.protocol import CaseOutcome
from grader.spec import CaseSpec, GradCheck, ProblemSpec, Tolerance, VmapCheck

Tree = Any
GRAD = "grad:"
VMAP = "vmap:"
TITLES = {"grad": "Gradients match the reference", "vmap_consistent": "Works under jax.vmap"}
# Seeds of a vmap check's extra examples: far from any seed a front matter uses.
_VARIANT_SEED = 1_000_003


@dataclass(frozen=True)
class Derived:
    """One derived case: its name, the case it comes from, and what it runs."""

    name: str
    base: CaseSpec
    kind: Literal["grad", "vmap", "example"]
    transform: dict[str, Any] | None
    index: int = 0  # the example number, for "example" cases

    @property
    def visible(self) -> bool:
        return self.base.visible


def grad_cases(spec: ProblemSpec, mode: Literal["run", "submit"]) -> list[Derived]:
    check = spec.checks.grad
    if check is None:
        return []
    transform = {"kind": "grad", "wrt": list(check.wrt)}
    return [Derived(GRAD + c.name, c, "grad", transform) for c in spec.check_cases(check, mode)]


def vmap_cases(spec: ProblemSpec, mode: Literal["run", "submit"]) -> list[Derived]:
    check = spec.checks.vmap_consistent
    if check is None:
        return []
    dynamic = [a.name for a in spec.args if not a.static]
    transform = {"kind": "vmap", "in_axes": {n: (0 if n in check.over else None) for n in dynamic}}
    out: list[Derived] = []
    for case in spec.check_cases(check, mode):
        out.append(Derived(VMAP + case.name, case, "vmap", transform))
        examples = range(1, check.size)
        out.extend(Derived(f"{VMAP}{case.name}#{i}", case, "example", None, i) for i in examples)
    return out


def derived_cases(spec: ProblemSpec, mode: Literal["run", "submit"]) -> list[Derived]:
    return grad_cases(spec, mode) + vmap_cases(spec, mode)


def grad_weights(reference_output: Tree, seed: int) -> list[np.ndarray]:
    """The weights of the scalar function, one array per float leaf of the reference's
    output (so the trusted runner and the grader draw the same ones)."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 0x67726164])
    leaves = float_leaves(reference_output)
    return [
        np.asarray(rng.standard_normal(np.shape(leaf)), dtype=np.asarray(leaf).dtype)
        for leaf in leaves
    ]


def _example(case: CaseSpec, index: int) -> dict[str, Tree]:
    return case_inputs(case.args, case.seed + _VARIANT_SEED * index)


def _stack(trees: Sequence[Tree]) -> Tree:
    first = trees[0]
    if isinstance(first, dict):
        return {k: _stack([t[k] for t in trees]) for k in first}
    if isinstance(first, list | tuple):
        return type(first)(_stack([t[i] for t in trees]) for i in range(len(first)))
    # Each leaf as the executor would get it alone: a Python float is float32, not float64.
    return np.stack([np.asarray(as_arrays(t)) for t in trees])


def derived_inputs(
    spec: ProblemSpec, derived: Derived, base_inputs: dict[str, Tree], reference_output: Tree
) -> dict[str, Tree]:
    """The arguments of a derived case (``reference_output``: the base case's)."""
    if derived.kind == "grad":
        return {**base_inputs, WEIGHTS: grad_weights(reference_output, derived.base.seed)}
    if derived.kind == "example":
        example = _example(derived.base, derived.index)
        over = _over(spec)
        return {k: (example[k] if k in over else v) for k, v in base_inputs.items()}
    check = spec.checks.vmap_consistent
    assert check is not None
    examples = [base_inputs] + [_example(derived.base, i) for i in range(1, check.size)]
    return {
        k: (_stack([e[k] for e in examples]) if k in check.over else v)
        for k, v in base_inputs.items()
    }


def _over(spec: ProblemSpec) -> tuple[str, ...]:
    check = spec.checks.vmap_consistent
    return check.over if check is not None else ()


# ---------------------------------------------------------------------------- judging


def _where(derived: Derived) -> str:
    return f"on {derived.base.name}" if derived.visible else "on a hidden case"


def judge_grad(
    check: GradCheck,
    derived: Sequence[Derived],
    outcomes: dict[str, CaseOutcome],
    expected: dict[str, Tree],
    tolerance: Tolerance,
    dtype_policy: Literal["exact", "same_kind"],
) -> CheckResult:
    title = TITLES["grad"]
    wrt = ", ".join(f"`{n}`" for n in check.wrt)
    for d in derived:
        got = outcomes.get(d.name)
        if got is None or (got.output is None and got.error is None):
            return _fail("grad", f"the gradient program did not run {_where(d)}")
        if got.error is not None:
            return _fail("grad", _grad_error(got.error.type, got.error.message, d))
        cmp = compare_outputs(
            expected[d.name], got.output, tolerance=tolerance, dtype_policy=dtype_policy
        )
        if not cmp.passed:
            return _fail(
                "grad",
                f"the gradient of your output {_gradient_of(cmp.divergence, wrt)} differs "
                f"from the reference's {_where(d)}{_largest(cmp.divergence, d)}: your "
                "values are right, so something cuts or bends the gradient "
                "(`jax.lax.stop_gradient`, a round trip through integers or numpy, a "
                "`custom_vjp`)",
            )
    return CheckResult(
        name="grad",
        passed=True,
        title=title,
        message=f"the gradient with respect to {wrt} matches the reference's",
    )


def _gradient_of(divergence: Divergence | None, wrt: str) -> str:
    """'with respect to `h0`' or `params['W_hh']`, from the leaf path of the gradient
    output (``output['h0']``, ``output['params']['W_hh']``)."""
    leaf = divergence.leaf if divergence is not None else ""
    match = re.match(r"^output\['([^']+)'\](.*)$", leaf)
    if match is None:
        return f"with respect to {wrt}"
    return f"with respect to `{match.group(1)}{match.group(2)}`"


def _largest(divergence: Divergence | None, d: Derived) -> str:
    if not d.visible or divergence is None or divergence.max_abs_error is None:
        return ""
    return f" (largest difference {divergence.max_abs_error:.3g})"


def _grad_error(kind: str, message: str, d: Derived) -> str:
    text = message.lower()
    if "while_loop" in text or "fori_loop" in text:
        return (
            f"your function cannot be differentiated in reverse mode {_where(d)}: "
            "`lax.while_loop` (and `fori_loop` with traced bounds) has no gradient; "
            "loop with `jax.lax.scan`, which JAX can differentiate"
        )
    if "reverse-mode" in text:
        return (
            f"your function cannot be differentiated in reverse mode {_where(d)}: it "
            "uses an operation without a gradient (`lax.while_loop`, a `fori_loop` with "
            "traced bounds, a callback or a custom batching rule); JAX can differentiate "
            "`jax.lax.scan` and ordinary `jnp` operations"
        )
    if "reference's floating-point shapes" in text:
        return f"not checked {_where(d)}: your outputs do not have the reference's shapes"
    shown = f": {kind}: {message.splitlines()[0][:300]}" if d.visible and message else ""
    return f"taking the gradient of your function failed {_where(d)}{shown}"


def judge_vmap(
    check: VmapCheck,
    derived: Sequence[Derived],
    outcomes: dict[str, CaseOutcome],
    tolerance: Tolerance,
    time_axes: dict[str, int],
) -> CheckResult:
    over = ", ".join(f"`{n}`" for n in check.over)
    for d in (d for d in derived if d.kind == "vmap"):
        batched = outcomes.get(d.name)
        if batched is None or (batched.output is None and batched.error is None):
            return _fail("vmap_consistent", f"the vmapped program did not run {_where(d)}")
        if batched.error is not None:
            shown = (
                f": {batched.error.type}: {batched.error.message.splitlines()[0][:300]}"
                if d.visible and batched.error.message
                else ""
            )
            return _fail(
                "vmap_consistent",
                f"your function fails under `jax.vmap` over {over} {_where(d)}{shown}",
            )
        for i in range(check.size):
            name = d.base.name if i == 0 else f"{VMAP}{d.base.name}#{i}"
            single = outcomes.get(name)
            if single is None or single.output is None:
                continue  # that example raised: the cases say so
            try:
                piece = _slice(batched.output, i)
            except (IndexError, TypeError, ValueError):
                piece = None
            cmp = compare_outputs(
                single.output, piece, tolerance=tolerance, dtype_policy="exact", time_axes=time_axes
            )
            if not cmp.passed:
                detail = f" ({cmp.message})" if d.visible and cmp.message else ""
                return _fail(
                    "vmap_consistent",
                    f"under `jax.vmap` over {over}, example {i} of the batch differs from "
                    f"calling your function on that example alone {_where(d)}{detail}: "
                    "does it depend on something other than its arguments, or mix examples?",
                )
    return CheckResult(
        name="vmap_consistent",
        passed=True,
        title=TITLES["vmap_consistent"],
        message=f"`jax.vmap` over {over} gives what a loop over the examples gives",
    )


def _slice(tree: Tree, i: int) -> Tree:
    if isinstance(tree, dict):
        return {k: _slice(v, i) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(_slice(v, i) for v in tree)
    if tree is None:
        return None
    return np.asarray(tree)[i]


def _fail(name: str, message: str) -> CheckResult:
    return CheckResult(name=name, passed=False, title=TITLES[name], message=message)


def not_checked(name: str, message: str) -> CheckResult:
    return CheckResult(name=name, passed=False, ran=False, title=TITLES[name], message=message)
