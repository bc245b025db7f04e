"""Mutants of a reference: one classic mistake each, parseable, distinct, with stable ids."""

from __future__ import annotations

import ast

from grader.mutants import MAX_MUTANTS, mutants

REFERENCE = '''"""A reference."""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax


def rnn(W, b, h0, xs, seed):
    key = jax.random.PRNGKey(seed)

    def step(h, x):
        h = jnp.tanh(W @ h + x + b)
        return h, h

    def pair(c, x):
        return c + x, c

    last, hs = lax.scan(step, h0, xs[:-1])
    _, ys = lax.scan(pair, jnp.zeros_like(h0), xs, reverse=False)
    return last, hs
'''


def by_operator(source: str = REFERENCE) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in mutants(source):
        out.setdefault(m.operator, []).append(m.id)
    return out


def test_every_classic_mistake_is_offered_with_a_stable_id() -> None:
    ops = by_operator()
    assert set(ops) == {
        "activation",
        "sign",
        "transpose",
        "transpose-right",
        "swap-pair",
        "scan-reverse",
        "scan-shift",
        "scan-init-zero",
        "scan-init-bump",
        "slice-off-by-one",
        "seed",
    }
    assert ops["scan-reverse"] == ["scan-reverse@19:15", "scan-reverse@20:12"]
    # `return h, h` swaps to itself: skipped; the step's pair and the function's results.
    assert ops["swap-pair"] == ["swap-pair@17:8", "swap-pair@21:4"]
    assert ops["sign"] == ["sign@13:21", "sign@13:21#2", "sign@17:15"]  # both + of a + b + c
    assert ops["scan-init-zero"] == ["scan-init-zero@19:15"]  # the zeros_like one is skipped
    assert [m.id for m in mutants(REFERENCE)] == [m.id for m in mutants(REFERENCE)]


def test_each_mutant_parses_differs_and_keeps_the_future_import_first() -> None:
    baseline = ast.unparse(ast.parse(REFERENCE))
    codes = set()
    for m in mutants(REFERENCE):
        tree = ast.parse(m.code)
        assert isinstance(tree.body[0], ast.Expr)  # the docstring
        assert isinstance(tree.body[1], ast.ImportFrom) and tree.body[1].module == "__future__"
        assert m.code != baseline and m.code not in codes
        codes.add(m.code)


def test_the_changes_are_the_ones_named() -> None:
    found = {m.id: m.code for m in mutants(REFERENCE)}
    assert "reverse=True" in found["scan-reverse@19:15"]
    assert "reverse=not False" in found["scan-reverse@20:12"]
    assert "_jd_shift(lax.scan(step" in found["scan-shift@19:15"]
    assert "lax.scan(step, _jd_zeros(h0)" in found["scan-init-zero@19:15"]
    assert "xs[:-1 - 1]" in found["slice-off-by-one@19:37"]
    assert "jax.random.PRNGKey(seed + 1)" in found["seed@10:10"]
    assert "_jd_jax.nn.sigmoid(W @ h" in found["activation@13:12"]
    assert "_jd_jnp.swapaxes(W, -1, -2) @ h" in found["transpose@13:21"]
    assert "return (c, c + x)" in found["swap-pair@17:8"]


def test_the_number_of_mutants_is_bounded() -> None:
    many = "def f(x):\n" + "".join(f"    x = x + {i}\n" for i in range(60)) + "    return x\n"
    assert len(mutants(many)) == MAX_MUTANTS
    assert len(mutants(many, limit=3)) == 3


def test_changes_that_cannot_change_the_answer_are_not_offered() -> None:
    source = (
        "from jax import lax\n\n\n"
        "def f(c0, xs, n):\n"
        "    last, _ = lax.scan(step, c0, xs)\n"
        "    final, _ = lax.scan(step, last, xs=None, length=n)\n"
        "    return final\n"
    )
    ops = by_operator(source)
    assert "scan-shift" not in ops  # both scans throw their outputs away
    assert ops["scan-reverse"] == ["scan-reverse@5:14"]  # the one with inputs
