"""Mutation testing of a problem's cases: small, classic mistakes made to the reference.

Each mutant is the reference with ONE change at one place, of the kinds students make
with these APIs (:data:`OPERATORS`). ``jaxdojo problems validate`` grades every mutant
through the real sandbox like a submission; a mutant that still *passes* means the
problem's cases (or checks) cannot tell that mistake from the right answer. A problem
fixes that with better cases, or, when the change really computes the same thing (a
transposed square identity, a reversed symmetric sum), lists the mutant's id under
``mutants: {equivalent: {<id>: <reason>}}`` in its front matter.

Ids are ``<operator>@<line>:<column>`` of the changed node in ``reference.py`` (``#2`` for
a second node starting at the same place, as in ``a + b + c``), stable as
long as the reference is; an ``equivalent`` entry that names no mutant any more is
reported too, so stale reasons do not pile up.

Mutants are trusted text made from trusted text (the reference); grading them is no
different from grading the problem's own solution files.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_MUTANTS = 24  # per problem, in source order: enough for the classic mistakes

# Inserted at the top of a mutant that needs a helper; names no reference uses.
PRELUDE = '''
import jax as _jd_jax
import jax.numpy as _jd_jnp


def _jd_shift(result):
    """A scan's (carry, ys) with ys moved one step later along time (axis 0)."""
    carry, ys = result
    return carry, _jd_jax.tree_util.tree_map(lambda y: _jd_jnp.roll(y, 1, axis=0), ys)


def _jd_zeros(tree):
    return _jd_jax.tree_util.tree_map(_jd_jnp.zeros_like, tree)


def _jd_bump(tree):
    return _jd_jax.tree_util.tree_map(lambda v: v + _jd_jnp.ones_like(v), tree)
'''

DESCRIPTIONS = {
    "scan-reverse": "lax.scan run in the other direction (reverse= flipped)",
    "scan-shift": "the scan's outputs shifted by one step",
    "scan-init-zero": "the initial carry replaced by zeros",
    "scan-init-bump": "the initial carry changed (+1)",
    "swap-pair": "a returned pair swapped (carry and output, or the two results)",
    "transpose": "the left operand of @ transposed",
    "transpose-right": "the right operand of @ transposed",
    "activation": "another activation (tanh <-> sigmoid, relu -> tanh)",
    "slice-off-by-one": "a slice bound off by one",
    "seed": "the seed changed (+1) where keys or Rngs are made",
    "sign": "a + turned into -",
}
ACTIVATION_SWAPS = {"tanh": ("_jd_jax.nn", "sigmoid"), "sigmoid": ("_jd_jnp", "tanh")}
ACTIVATION_SWAPS["relu"] = ("_jd_jnp", "tanh")
ACTIVATION_SWAPS["gelu"] = ("_jd_jnp", "tanh")
SEED_CALLS = {"Rngs", "PRNGKey", "key"}


@dataclass(frozen=True)
class Mutant:
    id: str  # "<operator>@<line>:<col>"
    operator: str
    line: int
    code: str

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.operator]


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def _is_scan(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _call_name(node) == "scan" and len(node.args) >= 1


def _helper(name: str, arg: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[arg], keywords=[])


def _attr(module: str, name: str) -> ast.Attribute:
    parts = module.split(".")
    value: ast.expr = ast.Name(id=parts[0], ctx=ast.Load())
    for part in parts[1:]:
        value = ast.Attribute(value=value, attr=part, ctx=ast.Load())
    return ast.Attribute(value=value, attr=name, ctx=ast.Load())


def _swapaxes(arg: ast.expr) -> ast.Call:
    minus = [ast.UnaryOp(op=ast.USub(), operand=ast.Constant(k)) for k in (1, 2)]
    return ast.Call(func=_attr("_jd_jnp", "swapaxes"), args=[arg, *minus], keywords=[])


# An operator: (tree, target node) -> whether it changed the (copied) tree at that node.
Rewrite = Callable[[ast.AST], bool]


def _ys_discarded(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
    """``carry, _ = lax.scan(...)``: the stacked outputs are thrown away."""
    parent = parents.get(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1):
        return False
    target = parent.targets[0]
    return (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(target.elts[1], ast.Name)
        and target.elts[1].id.startswith("_")
    )


def _no_xs(call: ast.Call) -> bool:
    xs = next((k.value for k in call.keywords if k.arg == "xs"), None)
    if xs is None and len(call.args) >= 3:
        xs = call.args[2]
    return isinstance(xs, ast.Constant) and xs.value is None


def _sites(tree: ast.Module) -> Iterator[tuple[str, ast.AST, Rewrite]]:
    """Every (operator, node, rewrite) the reference offers, in source order. Changes
    that cannot change the answer are not offered: shifting outputs that are thrown
    away, or reversing a scan with neither inputs nor kept outputs."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if _is_scan(node):
            assert isinstance(node, ast.Call)
            discarded = _ys_discarded(node, parents)
            if not (discarded and _no_xs(node)):
                yield "scan-reverse", node, _flip_reverse
            if not discarded:
                yield "scan-shift", node, lambda n: True  # done by _Shift below
            init = _init_arg(node)
            if init is not None:
                if not _is_zeros(init):  # zeros again would be the same program
                    yield "scan-init-zero", node, _init("_jd_zeros")
                yield "scan-init-bump", node, _init("_jd_bump")
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            if len(node.value.elts) == 2:
                yield "swap-pair", node, _swap_pair
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            yield "transpose", node, _transpose
            yield "transpose-right", node, _transpose_right
        elif isinstance(node, ast.Call) and _call_name(node) in ACTIVATION_SWAPS:
            yield "activation", node, _swap_activation
        elif isinstance(node, ast.Call) and _call_name(node) in SEED_CALLS and node.args:
            yield "seed", node, _bump_seed
        elif isinstance(node, ast.Slice) and (node.lower is not None or node.upper is not None):
            yield "slice-off-by-one", node, _off_by_one
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            yield "sign", node, _sign


def _init_arg(node: ast.Call) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == "init":
            return kw.value
    return node.args[1] if len(node.args) >= 2 else None


def _is_zeros(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _call_name(node) in {"zeros", "zeros_like"}


def _flip_reverse(node: ast.AST) -> bool:
    assert isinstance(node, ast.Call)
    for kw in node.keywords:
        if kw.arg == "reverse":
            kw.value = ast.UnaryOp(op=ast.Not(), operand=kw.value)
            return True
    node.keywords.append(ast.keyword(arg="reverse", value=ast.Constant(True)))
    return True


def _init(helper: str) -> Rewrite:
    def rewrite(node: ast.AST) -> bool:
        assert isinstance(node, ast.Call)
        for kw in node.keywords:
            if kw.arg == "init":
                kw.value = _helper(helper, kw.value)
                return True
        node.args[1] = _helper(helper, node.args[1])
        return True

    return rewrite


def _swap_pair(node: ast.AST) -> bool:
    assert isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple)
    a, b = node.value.elts
    if ast.dump(a) == ast.dump(b):
        return False  # `return h, h`: swapping changes nothing
    node.value.elts = [b, a]
    return True


def _transpose(node: ast.AST) -> bool:
    assert isinstance(node, ast.BinOp)
    node.left = _swapaxes(node.left)  # the weight, in ``W @ x``
    return True


def _transpose_right(node: ast.AST) -> bool:
    assert isinstance(node, ast.BinOp)
    node.right = _swapaxes(node.right)  # the weight, in ``x @ W``
    return True


def _swap_activation(node: ast.AST) -> bool:
    assert isinstance(node, ast.Call)
    module, name = ACTIVATION_SWAPS[_call_name(node)]
    node.func = _attr(module, name)
    return True


def _bump_seed(node: ast.AST) -> bool:
    assert isinstance(node, ast.Call)
    node.args[0] = ast.BinOp(left=node.args[0], op=ast.Add(), right=ast.Constant(1))
    return True


def _off_by_one(node: ast.AST) -> bool:
    assert isinstance(node, ast.Slice)
    if node.upper is not None:
        node.upper = ast.BinOp(left=node.upper, op=ast.Sub(), right=ast.Constant(1))
    else:
        assert node.lower is not None
        node.lower = ast.BinOp(left=node.lower, op=ast.Add(), right=ast.Constant(1))
    return True


def _sign(node: ast.AST) -> bool:
    assert isinstance(node, ast.BinOp)
    node.op = ast.Sub()
    return True


class _Shift(ast.NodeTransformer):
    """Wrap the one scan call at ``target`` in ``_jd_shift(...)``."""

    def __init__(self, target: tuple[int, int]) -> None:
        self.target = target

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _is_scan(node) and (node.lineno, node.col_offset) == self.target:
            return _helper("_jd_shift", node)
        return node


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    """Where a node is, whole: nested nodes (``a + b + c``) share their start."""
    return (
        *_position(node),
        getattr(node, "end_lineno", 0) or 0,
        getattr(node, "end_col_offset", 0) or 0,
    )


def _leading(stmt: ast.stmt) -> bool:
    """A module docstring or a ``from __future__`` import: what must stay first."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"


def _with_prelude(tree: ast.Module) -> str:
    body = tree.body
    # After the module docstring and `from __future__` imports, which must come first.
    at = 0
    while at < len(body) and _leading(body[at]):
        at += 1
    prelude = ast.parse(PRELUDE).body
    tree.body = body[:at] + prelude + body[at:]
    return ast.unparse(ast.fix_missing_locations(tree))


def mutants(source: str, *, limit: int = MAX_MUTANTS) -> list[Mutant]:
    """The mutants of ``source`` (a reference solution), at most ``limit``, in source order.
    Raises SyntaxError for a source that does not parse."""
    original = ast.parse(source)
    baseline = ast.unparse(original)
    sites = sorted(_sites(original), key=lambda s: (_span(s[1]), s[0]))
    out: list[Mutant] = []
    seen: set[str] = set()
    ids: dict[str, int] = {}
    for operator, node, rewrite in sites:
        if len(out) >= limit:
            break
        where = _position(node)
        span = _span(node)
        copy = ast.parse(source)
        if operator == "scan-shift":
            copy = _Shift(where).visit(copy)
        else:
            target = next(
                (n for n in ast.walk(copy) if type(n) is type(node) and _span(n) == span),
                None,
            )
            if target is None or not rewrite(target):
                continue
        if ast.unparse(ast.fix_missing_locations(copy)) == baseline:
            continue
        code = _with_prelude(copy)
        if code in seen:
            continue
        seen.add(code)
        mid = f"{operator}@{where[0]}:{where[1]}"
        ids[mid] = ids.get(mid, 0) + 1
        if ids[mid] > 1:  # another node starting at the same place (``a + b + c``)
            mid += f"#{ids[mid]}"
        out.append(Mutant(id=mid, operator=operator, line=where[0], code=code))
    return out
