"""End-to-end grading latency: the zygote sandbox against a fresh interpreter per submission.

For each problem, a known-correct solution is graded N times through ``Grader`` with
(a) ``ZygoteRunner`` (fork from a warm, backend-free zygote) and (b)
``FreshProcessRunner`` (a new Python process per submission, paying the JAX and Flax
imports every time), in the same run. Reference outputs are computed first and each
runner grades once before timing starts (zygote start-up is not a per-submission cost).

Usage::

    python bench/grade_latency.py [-n 10] [--mode submit|run] [--problems slug ...]

Targets (DESIGN: "within a second or two"; README): cumulative-sum p50 <= 250 ms and at
least 4x faster than the baseline; nnx-scan-rnn p50 <= 1.2 s; every other problem's
submit p50 <= 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.config import GraderSettings, get_grader_settings
from grader.grade import Grader
from grader.result import Mode
from grader.spec import Problem, load_problems

TARGET_P50_MS = {"cumulative-sum": 250.0, "nnx-scan-rnn": 1200.0}
DEFAULT_TARGET_P50_MS = 1500.0  # every other problem (the curriculum issue)
TARGET_SPEEDUP = {"cumulative-sum": 4.0}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def correct_solution(problem: Problem) -> str:
    correct = [s for s in problem.solutions if s.kind == "correct"]
    path = correct[0].path if correct else problem.reference_path
    return path.read_text("utf-8")


def time_grades(grader: Grader, slug: str, code: str, n: int, mode: Mode) -> list[float]:
    warm = grader.grade(slug, code, mode)  # not timed: starts the runner, fills page cache
    if warm.status != "passed":
        raise SystemExit(f"{slug}: the correct solution got {warm.status}: {warm.summary}")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = grader.grade(slug, code, mode)
        times.append((time.perf_counter() - start) * 1000)
        if result.status != "passed":
            raise SystemExit(f"{slug}: got {result.status} on a timed run: {result.summary}")
    return times


def make_grader(settings: GraderSettings, kind: str) -> Grader:
    from grader.sandbox.runner import FreshProcessRunner, ZygoteRunner

    factory: Callable[[GraderSettings], object] = (
        ZygoteRunner if kind == "zygote" else FreshProcessRunner
    )
    return Grader(settings, factory(settings))  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10, help="timed grades per problem and runner")
    parser.add_argument("--mode", choices=("run", "submit"), default="submit")
    parser.add_argument("--problems", nargs="*", help="slugs (default: all)")
    parser.add_argument("--no-baseline", action="store_true", help="skip FreshProcessRunner")
    parser.add_argument(
        "--warm-solutions",
        action="store_true",
        help="also compile the known-correct solutions into the compilation cache first, as "
        "`jaxdojo problems warm` does on a worker host (then the timed solution hits it)",
    )
    args = parser.parse_args(argv)

    settings = get_grader_settings()
    problems, errors = load_problems(settings.problems_dir)
    for error in errors:
        print(f"skipping: {error}", file=sys.stderr)
    chosen = [problems[s] for s in (args.problems or problems) if s in problems]

    zygote = make_grader(settings, "zygote")
    zygote.references.warm(chosen, solutions=args.warm_solutions)  # trusted, not timed
    fresh = None if args.no_baseline else make_grader(settings, "fresh")
    rows = []
    try:
        for problem in chosen:
            code = correct_solution(problem)
            z = time_grades(zygote, problem.slug, code, args.n, args.mode)
            f = time_grades(fresh, problem.slug, code, args.n, args.mode) if fresh else None
            rows.append((problem.slug, z, f))
            print(f"  measured {problem.slug}", file=sys.stderr, flush=True)
    finally:
        zygote.close()
        if fresh is not None:
            fresh.close()

    print(
        f"\ngrade latency, {args.mode} mode, n={args.n} per runner, backend={settings.backend}, "
        f"solutions {'warmed' if args.warm_solutions else 'not warmed'} in the compilation cache"
        f" (ms; ratio = fresh p50 / zygote p50)\n"
    )
    header = (
        f"{'problem':22} {'zyg p50':>8} {'zyg p90':>8} {'fresh p50':>9} {'fresh p90':>9} "
        f"{'ratio':>6} {'grades/s':>8}  targets"
    )
    print(header)
    print("-" * len(header))
    missed = False
    for slug, z, f in rows:
        zp50, zp90 = statistics.median(z), percentile(z, 0.9)
        fp50 = statistics.median(f) if f else float("nan")
        fp90 = percentile(f, 0.9) if f else float("nan")
        ratio = fp50 / zp50 if f else float("nan")
        rate = 1000.0 / statistics.mean(z)
        verdicts = []
        target = TARGET_P50_MS.get(slug, DEFAULT_TARGET_P50_MS)
        if slug in TARGET_P50_MS or args.mode == "submit":
            ok = zp50 <= target
            missed |= not ok
            verdicts.append(f"p50<={target:.0f}ms {'PASS' if ok else 'MISS'}")
        if slug in TARGET_SPEEDUP and f:
            ok = ratio >= TARGET_SPEEDUP[slug]
            missed |= not ok
            verdicts.append(f">={TARGET_SPEEDUP[slug]:.0f}x {'PASS' if ok else 'MISS'}")
        print(
            f"{slug:22} {zp50:8.0f} {zp90:8.0f} {fp50:9.0f} {fp90:9.0f} {ratio:6.1f} "
            f"{rate:8.2f}  {'; '.join(verdicts)}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
