"""The trusted reference runner: ``python -m grader.refrun`` computes reference outputs.

It runs in its own process, started by :class:`grader.refcache.ReferenceCache`, and never
sees student code: it imports ``problems/<slug>/reference.py`` (trusted content), calls the
entry point on each requested case exactly as the sandbox calls a student's function
(:func:`grader.execution.call_entry`), and writes each output with :mod:`grader.wire` to
the path it was given (temp file + atomic rename). It is the one writer of JAX's
persistent compilation cache, which sandboxed children may only read.

Request (JSON on stdin)::

    {"problem_dir": "...", "content_hash": "...", "backend": "cpu",
     "compilation_cache_dir": "..." | null,
     "fast_compile": true, "cases": [{"name": "...", "path": "..."}, ...]}

With ``"warm_solutions": true`` it also compiles the problem's ``solutions/correct``
files on every case (trusted content), so that common correct programs hit the cache.

Reply (JSON on stdout, last line): ``{"written": [names], "errors": {name: text}}``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

# Must match what the sandbox sets, so that compilation-cache entries written here are hit
# by students' equivalent programs (the cache key includes the compile options).
FAST_COMPILE_XLA_FLAG = "--xla_backend_optimization_level=0"


def configure_jax_environment(
    backend: str, compilation_cache_dir: str | None, fast_compile: bool
) -> None:
    """Environment for the JAX we are about to import (call before importing jax)."""
    # Exactly what grader.sandbox.runner.sandbox_env sets for children.
    os.environ["JAX_PLATFORMS"] = "cuda" if backend == "gpu" else "cpu"
    if fast_compile:
        os.environ["XLA_FLAGS"] = FAST_COMPILE_XLA_FLAG
    else:
        os.environ.pop("XLA_FLAGS", None)
    if compilation_cache_dir:
        import jax

        Path(compilation_cache_dir).mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", compilation_cache_dir)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        # The sandbox child sets this too (grader.sandbox.child.configure_jax), and it is
        # part of the cache key: without it here, no entry written here is ever hit there.
        with contextlib.suppress(Exception):
            jax.config.update("jax_persistent_cache_enable_xla_caches", "none")


def load_trusted_function(path: Path, entry_point: str, module_name: str) -> Any:
    """Import a trusted file of a problem folder and return its entry point."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    fn = getattr(module, entry_point, None)
    if not callable(fn):
        raise AttributeError(f"{path} defines no function {entry_point!r}")
    return fn


def load_reference(problem_dir: Path, entry_point: str) -> Any:
    """Import ``reference.py`` under a private module name and return its entry point."""
    name = "jaxdojo_reference_" + problem_dir.name.replace("-", "_")
    return load_trusted_function(problem_dir / "reference.py", entry_point, name)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file in the same directory, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compute(request: dict[str, Any]) -> dict[str, Any]:
    os.environ["JAXDOJO_REFRUN_BACKEND"] = request.get("backend", "cpu")
    configure_jax_environment(
        request.get("backend", "cpu"),
        request.get("compilation_cache_dir"),
        bool(request.get("fast_compile", False)),
    )
    from grader.cases import case_inputs
    from grader.execution import call_entry, call_program
    from grader.spec import load_problem
    from grader.transforms import derived_inputs, grad_cases
    from grader.wire import encode_tree

    problem = load_problem(Path(request["problem_dir"]))
    expected_hash = request.get("content_hash")
    if expected_hash and problem.content_hash != expected_hash:
        # The folder changed after the parent hashed it: refuse rather than store outputs
        # of one version under the key of another.
        return {
            "written": [],
            "errors": {"*": f"{problem.slug} changed while computing references"},
        }
    spec = problem.spec
    cases = {c.name: c for c in spec.cases}
    grads = {d.name: d for d in grad_cases(spec, "submit")}
    fn = load_reference(problem.directory, spec.entry_point)
    written: list[str] = []
    errors: dict[str, str] = {}
    outputs: dict[str, Any] = {}

    def output_of(case: Any) -> Any:
        if case.name not in outputs:
            inputs = case_inputs(case.args, case.seed)
            outputs[case.name] = call_entry(fn, inputs, spec.static_argnames)
        return outputs[case.name]

    for item in request["cases"]:
        name = item["name"]
        case, derived = cases.get(name), grads.get(name)
        if case is None and derived is None:
            errors[name] = f"no case named {name!r} in {problem.slug}"
            continue
        try:
            if derived is not None:
                base = derived.base
                args = derived_inputs(
                    spec, derived, case_inputs(base.args, base.seed), output_of(base)
                )
                output = call_program(fn, args, spec.static_argnames, derived.transform)
            else:
                output = output_of(case)
            write_atomic(Path(item["path"]), encode_tree(output))
            written.append(name)
        except Exception:  # process boundary: report every case's failure to the parent
            errors[name] = traceback.format_exc(limit=8)[-4000:]
    reply: dict[str, Any] = {"written": written, "errors": errors}
    if request.get("warm_solutions"):
        reply["warmed"] = _warm_solutions(problem, output_of)
    return reply


def _warm_solutions(problem: Any, output_of: Any) -> dict[str, str]:
    """Export the problem's known-correct solutions (and its reference) for every case
    and compile them exactly as the executor does, to fill the compilation cache.

    They are trusted files of the problem folder; a student whose program is the same
    StableHLO then skips XLA compilation in the executor. Outputs are discarded;
    failures are only reported.
    """
    from grader import artifact, exporting
    from grader.cases import case_inputs
    from grader.sandbox import codec
    from grader.transforms import derived_cases, derived_inputs

    spec = problem.spec
    platform = artifact.platform_name(os.environ.get("JAXDOJO_REFRUN_BACKEND", "cpu"))
    status: dict[str, str] = {}
    files = [problem.reference_path, *(s.path for s in problem.solutions if s.kind == "correct")]
    # Every program a submission runs: the cases', and the transformation checks'.
    programs: list[tuple[dict[str, Any], dict[str, Any] | None]] = [
        (case_inputs(case.args, case.seed), None) for case in spec.cases
    ]
    for d in derived_cases(spec, "submit"):
        if d.transform is not None:
            base = case_inputs(d.base.args, d.base.seed)
            programs.append((derived_inputs(spec, d, base, output_of(d.base)), d.transform))
    for i, path in enumerate(files):
        label = path.name
        try:
            module_name = f"jaxdojo_solution_{problem.slug.replace('-', '_')}_{i}"
            fn = load_trusted_function(path, spec.entry_point, module_name)
            seen: set[str] = set()
            for inputs, transform in programs:
                static, dynamic = codec.split_static(inputs, spec.static_argnames)
                sig = {"static": static, "dynamic": codec.signature(dynamic), "t": transform}
                key = json.dumps(sig, sort_keys=True)
                if key in seen:
                    continue
                seen.add(key)
                data = exporting.export_entry(
                    fn, static, codec.decode_signature(sig["dynamic"]), platform, transform
                )
                artifact.prepare(data, dynamic, platform)
            status[label] = "ok"
        except Exception as exc:  # a broken solution is validate's business, not ours
            status[label] = f"{type(exc).__name__}: {exc}"[:500]
    return status


def main() -> int:
    request = json.loads(sys.stdin.read())
    reply = compute(request)
    sys.stdout.write("\n" + json.dumps(reply) + "\n")
    sys.stdout.flush()
    return 0 if not reply["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
