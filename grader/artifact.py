"""Checking, instrumenting, compiling and running an exported program (``jax.export``).

This is the executor's half of the judgement (DESIGN.md, "The grader's judgement"): it
runs in the sandboxed executor process, which never runs student Python, and in trusted
warm-up runs that fill the compilation cache. Every artifact byte is hostile: the student
controls the runner, including ``jax`` itself, so it can hand over any bytes.

:func:`prepare` accepts an artifact only if its platform list is exactly the executor's
platform, it disables no safety checks, it has one device and no effects, its entry
signature equals the declared avals and the case's own signature, every operation is from
an allowed dialect, and every custom-call target is on the backend's allowlist (no host
callbacks, infeed, outfeed, send or recv). It then derives the structural facts from the
StableHLO (operation counts, loops) and instruments every ``stablehlo.while``: each loop's
results get ``+ delta[i]`` added, where ``delta`` is a new last argument of the program.
Run with ``delta = 0`` the program computes exactly what the student's program computes;
run with ``delta = e_i`` it shows whether loop ``i``'s results reach the output and matter.
One compilation serves both.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Tree = Any

# Dialects an exported JAX program is made of. Anything else is refused.
ALLOWED_DIALECTS = frozenset({"builtin", "func", "stablehlo", "chlo", "sdy", "shardy"})
# Operations that talk to the host or other devices: never allowed, whatever the target.
FORBIDDEN_OPS = frozenset(
    {
        "stablehlo.infeed",
        "stablehlo.outfeed",
        "stablehlo.send",
        "stablehlo.recv",
        "stablehlo.all_reduce",
        "stablehlo.all_gather",
        "stablehlo.all_to_all",
        "stablehlo.collective_permute",
        "stablehlo.collective_broadcast",
        "stablehlo.reduce_scatter",
        "stablehlo.partition_id",
        "stablehlo.replica_id",
    }
)
# Custom-call targets each backend implements and JAX itself emits (linear algebra for
# initialisers such as the orthogonal one in nnx.GRUCell, sharding annotations). Host
# callbacks (xla_python_*_callback, xla_ffi_python_*_callback) are on no list.
CUSTOM_CALL_ALLOWLIST: dict[str, tuple[str, ...]] = {
    "cpu": (r"lapack_[a-z0-9_]+", r"Sharding", r"SPMDFullToShardShape", r"SPMDShardToFullShape"),
    "cuda": (
        r"cusolver_[a-z0-9_]+",
        r"cublas[a-z0-9_]*",
        r"cu_threefry2x32(_ffi)?",
        r"cu_lu_pivots_to_permutation",
        r"Sharding",
        r"SPMDFullToShardShape",
        r"SPMDShardToFullShape",
    ),
}
# Operations that are bookkeeping, not computation: left out of the program size.
_NOT_COUNTED = frozenset({"builtin.module", "func.func", "func.return", "stablehlo.return"})
MAX_ARTIFACT_BYTES = 16 * 1024 * 1024
MAX_OPS = 200_000


class ArtifactRefused(Exception):
    """The artifact is not a program the executor will run (the student's verdict)."""


@dataclass(frozen=True)
class Aval:
    shape: tuple[int, ...]
    dtype: str


@dataclass
class ArtifactFacts:
    """What the StableHLO of one artifact shows (derived by the executor)."""

    op_count: int = 0
    op_counts: dict[str, int] = field(default_factory=dict)
    loops: int = 0
    custom_calls: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """A checked, instrumented and compiled artifact, ready to run on case inputs."""

    facts: ArtifactFacts
    executable: Any
    kept: tuple[int, ...]
    out_tree: Any
    n_loops: int

    def run(self, leaves: list[np.ndarray], delta: np.ndarray | None = None) -> Tree:
        """Run on the flattened inputs; ``delta`` perturbs the loops (default: none)."""
        import jax

        if delta is None:
            delta = np.zeros((max(self.n_loops, 1),), np.float32)
        args = [jax.device_put(leaves[i]) for i in self.kept]
        if self.n_loops:
            args.append(jax.device_put(delta))
        outs = self.executable.execute(args)
        arrays = [np.asarray(o) for o in outs]
        return jax.tree_util.tree_unflatten(self.out_tree, arrays)


def platform_name(backend: str) -> str:
    """The ``jax.export`` platform name of a grader backend ('cpu' or 'gpu')."""
    return "cuda" if backend == "gpu" else "cpu"


def flatten_inputs(dynamic: dict[str, Tree]) -> tuple[list[np.ndarray], Any]:
    """The leaves and tree of ``((dynamic,), {})``, in the order the exported program
    takes them (the runner exports ``g(dynamic)``)."""
    import jax

    leaves, tree = jax.tree_util.tree_flatten(((dynamic,), {}))
    return [np.asarray(leaf) for leaf in leaves], tree


def _type_of(aval: Aval) -> str:
    dims = "x".join(str(d) for d in aval.shape)
    element = _MLIR_DTYPES.get(aval.dtype)
    if element is None:
        raise ArtifactRefused(f"unsupported input dtype {aval.dtype}")
    return f"tensor<{dims}x{element}>" if dims else f"tensor<{element}>"


_MLIR_DTYPES = {
    "float32": "f32",
    "float64": "f64",
    "float16": "f16",
    "bfloat16": "bf16",
    "int32": "i32",
    "int64": "i64",
    "int16": "i16",
    "int8": "i8",
    "uint8": "ui8",
    "uint32": "ui32",
    "bool": "i1",
}


def _check_header(exported: Any, platform: str, leaves: list[np.ndarray], tree: Any) -> None:
    if tuple(exported.platforms) != (platform,):
        raise ArtifactRefused(
            f"the program was exported for {list(exported.platforms)}, not for [{platform!r}]"
        )
    if tuple(exported.disabled_safety_checks):
        raise ArtifactRefused("the program disables safety checks")
    if exported.nr_devices != 1:
        raise ArtifactRefused("the program is for more than one device")
    if tuple(exported.ordered_effects) or tuple(exported.unordered_effects):
        raise ArtifactRefused(
            "the program has side effects (a host callback such as jax.debug.print, "
            "jax.pure_callback or io_callback): the grader cannot run those"
        )
    if exported.in_tree != tree:
        raise ArtifactRefused("the program's arguments are not the case's arguments")
    in_avals = [Aval(tuple(a.shape), str(a.dtype)) for a in exported.in_avals]
    expected = [Aval(tuple(x.shape), str(x.dtype)) for x in leaves]
    if in_avals != expected:
        raise ArtifactRefused("the program's argument shapes or dtypes are not the case's")
    kept = tuple(exported.module_kept_var_idx)
    if list(kept) != sorted(set(kept)) or any(not 0 <= i < len(leaves) for i in kept):
        raise ArtifactRefused("the program's kept-argument list is malformed")
    if exported.out_tree.num_leaves != len(exported.out_avals):
        raise ArtifactRefused("the program's output tree does not match its outputs")


def _verify_main(main: Any, in_types: list[str], out_types: list[str]) -> None:
    from jaxlib.mlir import ir

    ftype = ir.FunctionType(ir.TypeAttr(main.attributes["function_type"]).value)
    got_in = [str(t) for t in ftype.inputs]
    got_out = [str(t) for t in ftype.results]
    if got_in != in_types or got_out != out_types:
        raise ArtifactRefused(
            "the program's entry signature does not match its declared inputs and outputs"
        )


def _functions(module: Any) -> dict[str, Any]:
    from jaxlib.mlir import ir

    found: dict[str, Any] = {}
    for op in module.body.operations:
        if op.operation.name.startswith("sdy."):  # sharding meshes: declarations only
            continue
        if op.operation.name != "func.func":
            raise ArtifactRefused(f"unexpected top-level operation {op.operation.name}")
        found[ir.StringAttr(op.attributes["sym_name"]).value] = op
    if "main" not in found:
        raise ArtifactRefused("the program has no entry function")
    return found


def _scan_ops(module: Any, platform: str) -> tuple[ArtifactFacts, list[Any], list[Any]]:
    """Count operations, refuse what is not allowed, collect loops and calls."""
    from jaxlib.mlir import ir

    allow = [re.compile(p) for p in CUSTOM_CALL_ALLOWLIST.get(platform, ())]
    counts: Counter[str] = Counter()
    targets: list[str] = []
    loops: list[Any] = []
    calls: list[Any] = []
    problem: list[str] = []

    def visit(op: Any) -> Any:
        name = op.name
        counts[name] += 1
        if sum(counts.values()) > MAX_OPS:
            problem.append(f"the program has more than {MAX_OPS} operations")
            return ir.WalkResult.INTERRUPT
        if name.split(".", 1)[0] not in ALLOWED_DIALECTS:
            problem.append(f"operation {name} is not allowed")
        elif name in FORBIDDEN_OPS:
            problem.append(f"operation {name} is not allowed (it talks to the host)")
        elif name == "stablehlo.custom_call":
            target = ir.StringAttr(op.attributes["call_target_name"]).value
            targets.append(target)
            if not any(p.fullmatch(target) for p in allow):
                problem.append(
                    f"custom call {target!r} is not allowed (host callbacks such as "
                    "jax.debug.print or jax.pure_callback cannot be graded)"
                )
        elif name == "stablehlo.while":
            loops.append(op.opview)
        elif name == "func.call":
            calls.append(op.opview)
        if problem:
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if problem:
        raise ArtifactRefused(problem[0])
    counted = {k: v for k, v in sorted(counts.items()) if k not in _NOT_COUNTED}
    facts = ArtifactFacts(
        op_count=sum(counted.values()),
        op_counts=counted,
        loops=len(loops),
        custom_calls=sorted(set(targets)),
    )
    return facts, loops, calls


def _threaded(functions: dict[str, Any], calls: list[Any]) -> set[str]:
    """``main`` and every function it reaches through ``func.call``: the functions that
    get the ``delta`` argument. (Others, such as a ``stablehlo.composite``'s
    decomposition, keep their signature; loops in them are not perturbed.)"""
    from jaxlib.mlir import ir

    edges: dict[str, set[str]] = {}
    for call in calls:
        caller = _owner_function(call)
        edges.setdefault(caller, set()).add(ir.FlatSymbolRefAttr(call.attributes["callee"]).value)
    reached, todo = {"main"}, ["main"]
    while todo:
        for callee in edges.get(todo.pop(), ()):
            if callee not in functions:
                raise ArtifactRefused(f"a call to an unknown function {callee!r}")
            if callee not in reached:
                reached.add(callee)
                todo.append(callee)
    return reached


def _refuse_recursion(functions: dict[str, Any], calls: list[Any]) -> None:
    """XLA has no recursion: a call graph with a cycle is refused before it is compiled
    (compiling one overflows the compiler's stack)."""
    from jaxlib.mlir import ir

    edges: dict[str, set[str]] = {name: set() for name in functions}
    for call in calls:
        callee = ir.FlatSymbolRefAttr(call.attributes["callee"]).value
        if callee not in functions:
            raise ArtifactRefused(f"a call to an unknown function {callee!r}")
        edges[_owner_function(call)].add(callee)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in functions:
        if state.get(root):
            continue
        stack = [(root, iter(sorted(edges[root])))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                raise ArtifactRefused("the program calls itself recursively")
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(edges[child]))))


def _owner_function(op: Any) -> str:
    from jaxlib.mlir import ir

    current = op.operation
    while current is not None and current.name != "func.func":
        current = current.parent
    if current is None:
        raise ArtifactRefused("an operation outside any function")
    return ir.StringAttr(current.attributes["sym_name"]).value


def _instrument(functions: dict[str, Any], loops: list[Any], calls: list[Any]) -> list[Any]:
    """Give ``main`` and the functions it calls a last argument ``delta: tensor<K x f32>``
    (threaded through every call) and add ``delta[i]`` to every numeric result of loop
    ``i``. Returns the loops that were instrumented, in delta order."""
    from jaxlib.mlir import ir
    from jaxlib.mlir.dialects import func as func_d
    from jaxlib.mlir.dialects import stablehlo as hlo

    threaded = _threaded(functions, calls)
    loops = [loop for loop in loops if _owner_function(loop) in threaded]
    k = len(loops)
    f32 = ir.F32Type.get()
    delta_type = ir.RankedTensorType.get([k], f32)
    delta_of: dict[str, Any] = {}
    for name in threaded:
        fn = functions[name]
        block = fn.regions[0].blocks[0]
        delta_of[name] = block.add_argument(delta_type, ir.Location.unknown())
        ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
        new_type = ir.FunctionType.get([*ftype.inputs, delta_type], list(ftype.results))
        fn.attributes["function_type"] = ir.TypeAttr.get(new_type)
        if "arg_attrs" in fn.attributes:
            old = ir.ArrayAttr(fn.attributes["arg_attrs"])
            fn.attributes["arg_attrs"] = ir.ArrayAttr.get([*old, ir.DictAttr.get({})])

    for call in calls:
        callee = ir.FlatSymbolRefAttr(call.attributes["callee"]).value
        if callee not in threaded:
            continue
        with ir.InsertionPoint(call), call.location:
            owner = _owner_function(call)
            if owner in delta_of:
                delta = delta_of[owner]
            else:  # a call from an unthreaded function: no perturbation there
                zeros = ir.DenseElementsAttr.get_splat(delta_type, ir.FloatAttr.get(f32, 0.0))
                delta = hlo.ConstantOp(zeros).result
            new = func_d.CallOp(
                [r.type for r in call.results],
                ir.FlatSymbolRefAttr.get(callee),
                [*call.operands, delta],
            )
        for old_result, new_result in zip(call.results, new.results, strict=True):
            old_result.replace_all_uses_with(new_result)
        call.operation.erase()

    for i, loop in enumerate(loops):
        delta = delta_of[_owner_function(loop)]
        with ir.InsertionPoint.after(loop), loop.location:
            piece = hlo.SliceOp(
                delta,
                ir.DenseI64ArrayAttr.get([i]),
                ir.DenseI64ArrayAttr.get([i + 1]),
                ir.DenseI64ArrayAttr.get([1]),
            )
            scalar = hlo.ReshapeOp(ir.RankedTensorType.get([], f32), piece.result)
            for result in list(loop.results):
                try:
                    rtype = ir.RankedTensorType(result.type)
                except ValueError:  # a token or another non-tensor value
                    continue
                element = str(rtype.element_type)
                if element == "i1" or element.startswith("complex"):
                    continue
                converted = hlo.ConvertOp(
                    ir.RankedTensorType.get([], rtype.element_type), scalar.result
                )
                spread = hlo.BroadcastInDimOp(rtype, converted.result, ir.DenseI64ArrayAttr.get([]))
                bumped = hlo.AddOp(result, spread.result)
                result.replace_all_uses_except(bumped.result, bumped.operation)
    return loops


def prepare(artifact: bytes, dynamic: dict[str, Tree], platform: str) -> Prepared:
    """Check, analyse, instrument and compile one artifact for the case inputs ``dynamic``.

    Raises :class:`ArtifactRefused` for anything the executor will not run; any other
    exception from deserialising or compiling hostile bytes is turned into one too.
    """
    if len(artifact) > MAX_ARTIFACT_BYTES:
        raise ArtifactRefused(f"the program is larger than {MAX_ARTIFACT_BYTES} bytes")
    try:
        return _prepare(artifact, dynamic, platform)
    except ArtifactRefused:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # hostile bytes: any failure is the artifact's fault
        raise ArtifactRefused(
            f"the program could not be loaded ({type(exc).__name__}: {str(exc)[:300]})"
        ) from None


_CONTEXT: list[Any] = []


def _context() -> Any:
    """One MLIR context per process (creating one and loading its dialects costs time)."""
    if not _CONTEXT:
        from jax._src.interpreters import mlir

        _CONTEXT.append(mlir.make_ir_context())
    return _CONTEXT[0]


def _prepare(artifact: bytes, dynamic: dict[str, Tree], platform: str) -> Prepared:
    from jax import export
    from jax._src import compiler
    from jax._src import xla_bridge as xb
    from jax._src.lib import _jax
    from jax._src.lib import xla_client as xc
    from jaxlib.mlir import ir, passmanager

    leaves, tree = flatten_inputs(dynamic)
    exported = export.deserialize(bytearray(artifact))
    _check_header(exported, platform, leaves, tree)
    kept = tuple(exported.module_kept_var_idx)
    in_types = [_type_of(Aval(tuple(leaves[i].shape), str(leaves[i].dtype))) for i in kept]
    out_types = [_type_of(Aval(tuple(a.shape), str(a.dtype))) for a in exported.out_avals]
    with _context(), ir.Location.unknown():
        module = _jax.mlir.deserialize_portable_artifact(exported.mlir_module_serialized)
        if not isinstance(module, ir.Module):
            module = ir.Module.parse(module)
        passmanager.PassManager.parse("builtin.module(strip-debuginfo)").run(module.operation)
        functions = _functions(module)
        _verify_main(functions["main"], in_types, out_types)
        facts, loops, calls = _scan_ops(module, platform)
        _refuse_recursion(functions, calls)
        if loops:
            loops = _instrument(functions, loops, calls)
        module.operation.verify()
        backend = xb.get_backend(platform)
        devices = np.array(backend.local_devices()[:1])
        options = compiler.get_compile_options(num_replicas=1, num_partitions=1)
        executable = compiler.compile_or_get_cached(
            backend, module, devices, options, [], xc.DeviceList(tuple(devices.flat))
        )
    return Prepared(
        facts=facts,
        executable=executable,
        kept=kept,
        out_tree=exported.out_tree,
        n_loops=len(loops),
    )


def check_module_text(text: str, platform: str) -> ArtifactFacts:
    """The static checks of :func:`prepare` on a module given as text (for tests and for
    looking at a module by hand): allowed operations and custom calls, no recursion."""
    from jaxlib.mlir import ir

    with _context(), ir.Location.unknown():
        module = ir.Module.parse(text)
        functions = _functions(module)
        facts, _, calls = _scan_ops(module, platform)
        _refuse_recursion(functions, calls)
    return facts


def trees_close(a: Tree, b: Tree, rtol: float, atol: float) -> bool:
    """Two output trees of the same program are equal within tolerance (NaN == NaN)."""
    import jax

    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            return False
        if x.dtype.kind in "fc":
            if not np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


def loop_matters(
    prepared: Prepared, leaves: list[np.ndarray], base: Tree, rtol: float, atol: float
) -> bool | None:
    """Whether some loop's results reach the output and move it beyond tolerance when
    perturbed by one. ``None`` when the program has no loop."""
    if not prepared.n_loops:
        return None
    for size in (1.0, 1024.0):  # the second for outputs whose values are large
        for i in range(prepared.n_loops):
            delta = np.zeros((prepared.n_loops,), np.float32)
            delta[i] = size
            if not trees_close(prepared.run(leaves, delta), base, rtol, atol):
                return True
    return False
