"""Per-run latency of the sandbox runners alone: ``python bench/sandbox_latency.py [-n 10]``.

Times whole ``runner.run`` calls (spawn, isolation, trace, compile, run, decode) for a
cumsum scan and an nnx GRUCell program, through ZygoteRunner and FreshProcessRunner,
with the compilation cache off so that every run compiles.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.config import GraderLimits, GraderSettings
from grader.sandbox.protocol import RunLimits, RunRequest
from grader.sandbox.runner import FreshProcessRunner, ZygoteRunner

CUMSUM = """
import jax.numpy as jnp
from jax import lax

def cumulative_sum(x):
    return lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]
"""

GRU = """
import jax
import jax.numpy as jnp
from flax import nnx

def scan_rnn_forward(seed, x, hidden, T):
    cell = nnx.GRUCell(in_features=x.shape[-1], hidden_features=hidden, rngs=nnx.Rngs(seed))
    def step(carry, xt):
        carry, _ = cell(carry, xt)
        return carry, None
    return jax.lax.scan(step, jnp.zeros((hidden,)), x[:T])[0]
"""

PROGRAMS: dict[str, RunRequest] = {
    "cumsum": RunRequest(
        source=CUMSUM,
        entry_point="cumulative_sum",
        static_argnames=(),
        cases=(("c", {"x": np.arange(128, dtype=np.float32)}),),
    ),
    "nnx_gru": RunRequest(
        source=GRU,
        entry_point="scan_rnn_forward",
        static_argnames=("seed", "hidden", "T"),
        cases=(("c", {"seed": 0, "x": np.ones((128, 16), np.float32), "hidden": 32, "T": 128}),),
    ),
}

LIMITS = RunLimits.from_settings(
    GraderLimits(), wall_time_s=60.0, cpu_time_s=120, max_output_bytes=1 << 20
)


def measure(runner: Any, request: RunRequest, n: int) -> dict[str, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        outcome = runner.run(request, LIMITS)
        times.append((time.perf_counter() - start) * 1000)
        if outcome.kind != "ok" or outcome.cases[0].error is not None:
            raise RuntimeError(f"benchmark run failed: {outcome}")
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--runner", choices=["zygote", "fresh", "both"], default="both")
    args = parser.parse_args(argv)
    settings = GraderSettings(compilation_cache=False)
    kinds = {"zygote": ZygoteRunner, "fresh": FreshProcessRunner}
    for name, cls in kinds.items():
        if args.runner not in (name, "both"):
            continue
        started = time.perf_counter()
        with cls(settings) as runner:
            setup_ms = (time.perf_counter() - started) * 1000
            print(f"{name}: runner setup {setup_ms:.0f} ms")
            for program, request in PROGRAMS.items():
                stats = measure(runner, request, args.n)
                print(
                    f"{name:7s} {program:8s} n={args.n} median {stats['median_ms']:.0f} ms "
                    f"(min {stats['min_ms']:.0f}, max {stats['max_ms']:.0f})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
