"""What the trusted side asks of a sandboxed run, and what comes back.

The trusted side (worker, CLI) builds a :class:`RunRequest` from the problem spec and
the generated case inputs, hands it to a :class:`SandboxRunner`, and receives a
:class:`RunOutcome`. A run is two sandboxed processes: the runner, which exports the
student's function for each case signature and never sees an input value, and the
executor, which runs no student Python and checks and runs those programs on the inputs.
Everything in a RunOutcome came from a sandboxed process and was decoded strictly; it
carries no verdict: the verdict is computed by ``grader.verdict`` from these facts and
the reference outputs, which never enter the sandbox.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from grader.config import GraderLimits

# A pytree of numpy arrays and Python scalars: dicts (str keys), lists and tuples.
Tree = Any

RunKind = Literal[
    "ok",  # the runner finished; per-case outcomes and facts are filled in
    "load_error",  # the source failed before any case ran (syntax, import, missing entry)
    "timeout",  # wall clock or CPU limit: the process group was killed
    "memory",  # memory cap hit (OOM kill or MemoryError)
    "crashed",  # died without a valid reply (signal, exit, forged/garbled output)
    "output_too_large",  # tried to return more than the output cap
]


@dataclass(frozen=True)
class RunLimits:
    wall_time_s: float
    cpu_time_s: int
    memory_mb: int
    data_mb: int
    max_processes: int
    max_file_mb: int
    max_open_files: int
    max_output_bytes: int
    max_stdout_bytes: int

    @classmethod
    def from_settings(cls, limits: GraderLimits, **overrides: Any) -> RunLimits:
        """The configured limits (the one place they are defined), with ``overrides``."""
        values = {f: getattr(limits, f) for f in cls.__dataclass_fields__}
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class RunRequest:
    source: str
    entry_point: str
    static_argnames: tuple[str, ...]
    # (case name, {arg name: value}) in order; values are numpy arrays, Python scalars or
    # dicts of those. Only the inputs: expected outputs never cross into the sandbox.
    # These are the visible cases: what comes back for them may be shown in full.
    cases: tuple[tuple[str, dict[str, Tree]], ...]
    backend: str = "cpu"
    # Cases whose inputs the student must never see: only their signatures (shapes,
    # dtypes, static values) reach the runner; their values reach only the executor.
    hidden_cases: tuple[tuple[str, dict[str, Tree]], ...] = ()
    # The tolerance under which a loop's perturbed output counts as unchanged.
    rtol: float = 1e-5
    atol: float = 1e-6
    # Cases whose program is the entry point transformed (jax.grad, jax.vmap), by name;
    # trusted JSON built by grader.transforms, applied by grader.execution.build_program.
    transforms: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def all_cases(self) -> tuple[tuple[str, dict[str, Tree]], ...]:
        """Visible cases, then hidden ones: the order their outcomes come back in."""
        return self.cases + self.hidden_cases


@dataclass(frozen=True)
class RawStudentError:
    """An exception from the student's code as reported by the runner (untrusted text),
    or the executor's reason for refusing or failing to run the student's program."""

    type: str
    message: str
    lineno: int | None = None
    traceback: str = ""  # only frames from the student's file, already capped


@dataclass(frozen=True)
class ProgramFacts:
    """What the executor derived from one exported program (its StableHLO)."""

    op_count: int  # operations, over every function of the module
    op_counts: dict[str, int]  # operation name -> count
    loops: int  # stablehlo.while operations
    custom_calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseOutcome:
    name: str
    output: Tree | None = None  # decoded numpy arrays in the student's tree structure
    error: RawStudentError | None = None
    time_ms: float | None = None  # the executor's run time of this case
    facts: ProgramFacts | None = None  # of the program this case ran (shared by signature)
    # Perturbing some loop's results moved this case's output beyond tolerance (None:
    # the program has no loop, or the case did not run).
    loop_matters: bool | None = None
    # Advice from the runner (its word: it may add advice, never pass a check).
    vmap_calls: int = 0


@dataclass
class RunOutcome:
    kind: RunKind
    cases: list[CaseOutcome] = field(default_factory=list)
    load_error: RawStudentError | None = None
    stdout: str = ""  # the runner's stdout+stderr, capped
    # Trusted explanation of timeout/memory/crash. Generic for the executor, which held
    # hidden inputs (its exit code could encode them).
    detail: str = ""
    # Which process the failure happened in: "runner" (exporting your code) or
    # "executor" (running the compiled program).
    stage: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    isolation: dict[str, Any] = field(default_factory=dict)
    # Only for a runner that timed out: where its last progress report said it was busy
    # ("student", "tracing", "lowering", "other") and the student's line. The runner's
    # word, decoded strictly: it picks the wording of the timeout message, nothing else.
    hint_where: str | None = None
    hint_line: int | None = None
    # The byte sizes of the programs the runner exported (one per signature, so they
    # depend on shapes, never on a value): for the wording of an executor timeout only.
    artifact_sizes: tuple[int, ...] = ()


class SandboxRunner(Protocol):
    """Runs one request in a fresh isolated process; never raises for student faults."""

    def run(
        self, request: RunRequest, limits: RunLimits, *, cancel: threading.Event | None = None
    ) -> RunOutcome: ...

    def close(self) -> None: ...


def as_numpy_tree(tree: Tree) -> Tree:
    """Convert array-likes in a tree to numpy arrays (trusted side helper)."""
    if isinstance(tree, dict):
        return {k: as_numpy_tree(v) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(as_numpy_tree(v) for v in tree)
    if isinstance(tree, bool | int | float):
        return tree
    return np.asarray(tree)
