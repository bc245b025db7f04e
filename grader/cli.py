"""Grader commands of the ``jaxdojo`` CLI: grade, doctor, problems list|validate|new|warm.

``jaxdojo grade`` exits 0 whenever a result was produced, whatever the verdict, and
non-zero (with a message on stderr) only when grading itself could not happen.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from grader.result import GradeResult

if TYPE_CHECKING:
    from grader.config import GraderSettings
    from grader.grade import Grader

EXIT_USAGE = 2  # unknown slug, unreadable file
EXIT_UNAVAILABLE = 3  # isolation unavailable, sandbox could not start

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    """Add the grader's subcommands to the top-level parser's subparsers."""
    grade = sub.add_parser("grade", help="grade a solution file locally, through the sandbox")
    grade.add_argument("slug", help="problem slug, e.g. cumulative-sum")
    grade.add_argument("file", type=Path, help="the Python file to grade")
    grade.add_argument(
        "--mode",
        choices=("run", "submit"),
        default="submit",
        help="run: visible examples only; submit: every case (default)",
    )
    grade.add_argument("--json", action="store_true", help="print the result JSON")
    grade.set_defaults(func=_grade)

    doctor = sub.add_parser("doctor", help="report which sandbox isolation layers work here")
    doctor.add_argument("--json", action="store_true", help="print the layers as JSON")
    doctor.set_defaults(func=_doctor)

    problems = sub.add_parser("problems", help="list and validate problems")
    psub = problems.add_subparsers(dest="problems_command", required=True)
    lst = psub.add_parser("list", help="list the problems found")
    lst.set_defaults(func=_list)
    val = psub.add_parser(
        "validate", help="check specs, references and known solutions through the real sandbox"
    )
    val.add_argument("slugs", nargs="*", metavar="slug", help="problems to check (default: all)")
    val.add_argument(
        "--no-mutants",
        dest="mutation",
        action="store_false",
        help="skip mutation testing (grading a mistaken copy of the reference per site)",
    )
    val.set_defaults(func=_validate)
    new = psub.add_parser(
        "new", help="scaffold a problem folder that validates at once, to edit from there"
    )
    new.add_argument("slug", help="lowercase-with-hyphens, e.g. running-product")
    new.add_argument("--track", default="scan", help="jax-core | scan | flax-linen | flax-nnx")
    new.add_argument("--title", help="the problem's title (default: from the slug)")
    new.add_argument(
        "--dir", type=Path, help="where problem folders live (default: the configured one)"
    )
    new.set_defaults(func=_new)
    warm = psub.add_parser(
        "warm",
        help="precompute reference outputs and fill the compilation cache (trusted runs)",
    )
    warm.add_argument("slugs", nargs="*", metavar="slug")
    warm.set_defaults(func=_warm)


# ---------------------------------------------------------------------------- grade


def _settings() -> GraderSettings:
    from grader.config import get_grader_settings

    return get_grader_settings()


def _make_grader(settings: GraderSettings) -> Grader:
    """The grader the commands use (tests swap in one with a fake sandbox)."""
    from grader.grade import Grader

    return Grader(settings)


def _grade(args: argparse.Namespace) -> int:
    from grader.errors import GraderError, IsolationUnavailable, UnknownProblem

    grader = _make_grader(_settings())
    try:
        try:
            grader.problem(args.slug)
        except UnknownProblem:
            valid = ", ".join(grader.problems) or "(none found)"
            print(
                f"jaxdojo grade: unknown problem {args.slug!r}. Valid problems: {valid}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            code = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"jaxdojo grade: cannot read {args.file}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        try:
            result = grader.grade(args.slug, code, args.mode)
        except IsolationUnavailable as exc:
            print(
                f"jaxdojo grade: {exc} Run `jaxdojo doctor` to see which layers are missing.",
                file=sys.stderr,
            )
            return EXIT_UNAVAILABLE
        except GraderError as exc:  # a platform fault: no verdict, not the code's fault
            print(
                f"jaxdojo grade: grading failed on our side ({type(exc).__name__}: {exc}); "
                "the code was not judged.",
                file=sys.stderr,
            )
            return EXIT_UNAVAILABLE
    finally:
        grader.close()
    if args.json:
        print(json.dumps(result.to_json_dict(), indent=2))
    else:
        print(format_result(result, color=_is_tty(sys.stdout)))
    return 0


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_COLORS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}


def format_result(result: GradeResult, *, color: bool = False) -> str:
    """A readable report of a result, with ANSI colours only when asked."""

    def paint(text: str, name: str) -> str:
        return f"\033[{_COLORS[name]}m{text}\033[0m" if color else text

    status_color = {"passed": "green", "failed": "red", "system_error": "yellow"}.get(
        result.status, "red"
    )
    header = f"{result.problem or '?'}: {paint(result.status.upper(), status_color)}"
    header += f"  score {result.score:.2f}"
    if result.mode:
        header += f"  ({result.mode}"
        header += f", {result.backend})" if result.backend else ")"
    lines = [paint(header, "bold"), result.summary]
    if result.cases:
        lines.append("")
        lines.append("cases:")
        for case in result.cases:
            ok = case.status == "passed"
            mark = (
                paint("✓", "green") if ok else paint("✗" if case.status == "failed" else "!", "red")
            )
            name = case.name + (paint(" (hidden)", "dim") if case.hidden else "")
            lines.append(f"  {mark} {name}" + (f": {case.message}" if case.message else ""))
            if not ok and not case.hidden:
                for label, value in (
                    ("input", case.inputs),
                    ("expected", case.expected),
                    ("got", case.got),
                ):
                    if value:
                        lines.append(f"      {label + ':':10}{value}")
    if result.checks:
        lines.append("")
        lines.append("checks:")
        for check in result.checks:
            mark = paint("✓", "green") if check.passed else paint("✗", "red")
            lines.append(f"  {mark} {check.name}: {check.message}")
    if result.error is not None:
        err = result.error
        lines.append("")
        where = f" (line {err.line})" if err.line else ""
        lines.append(paint(f"error: {err.type}{where}", "red"))
        lines.extend(f"  {line}" for line in err.message.splitlines()[:12])
        if err.hint:
            lines.append(paint(f"  hint: {err.hint}", "yellow"))
    if result.stdout:
        lines.append("")
        lines.append("output:")
        lines.extend(f"  {line}" for line in result.stdout.splitlines()[:50])
    if result.timings:
        parts = [
            f"{k.removesuffix('_ms')} {v:.0f} ms" if k.endswith("_ms") else f"{k} {v:g}"
            for k, v in result.timings.items()
        ]
        lines.append("")
        lines.append(paint("timings: " + ", ".join(parts), "dim"))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- doctor


def _doctor(args: argparse.Namespace) -> int:
    import importlib

    try:
        doctor = importlib.import_module("grader.sandbox.doctor")
    except ImportError as exc:
        print(f"jaxdojo doctor: the sandbox doctor is not available: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return int(doctor.main(["--json"] if args.json else []) or 0)


# ---------------------------------------------------------------------------- problems


def _list(args: argparse.Namespace) -> int:
    from grader.spec import load_problems

    problems, errors = load_problems(_settings().problems_dir)
    for p in problems.values():
        print(f"{p.slug:24} {p.spec.difficulty:7} {p.spec.title}")
    for e in errors:
        print(f"ERROR {e}")
    return 1 if errors else 0


def _validate(args: argparse.Namespace) -> int:
    from grader.errors import IsolationUnavailable
    from grader.reports import save_report
    from grader.validate import format_reports, validate_problems

    logging.basicConfig(level=logging.WARNING)
    with _make_grader(_settings()) as grader:
        try:
            reports, errors = validate_problems(
                grader, args.slugs, mutation=getattr(args, "mutation", True)
            )
        except IsolationUnavailable as exc:
            print(f"jaxdojo problems validate: {exc}", file=sys.stderr)
            return EXIT_UNAVAILABLE
    mutation = getattr(args, "mutation", True)
    for report in reports:  # the instructor pages show the last report of each problem
        if report.version is not None:
            save_report(grader.settings.data_dir, report, mutation=mutation)
    print(format_reports(reports, errors, color=_is_tty(sys.stdout)))
    return 0 if all(r.ok for r in reports) and not errors else 1


def _new(args: argparse.Namespace) -> int:
    from grader.scaffold import ScaffoldError, scaffold

    root = args.dir if args.dir is not None else _settings().problems_dir
    try:
        directory = scaffold(root, args.slug, args.track, args.title)
    except ScaffoldError as exc:
        print(f"jaxdojo problems new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"created {directory}/")
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        print(f"  {path.relative_to(directory)}")
    print(f"next: edit problem.md and reference.py, then `jaxdojo problems validate {args.slug}`")
    return 0


def _warm(args: argparse.Namespace) -> int:
    from grader.errors import ReferenceFailure
    from grader.refcache import ReferenceCache
    from grader.spec import load_problems

    settings = _settings()
    problems, errors = load_problems(settings.problems_dir)
    chosen = [problems[s] for s in args.slugs if s in problems] if args.slugs else problems.values()
    cache = ReferenceCache(settings)
    status = 1 if errors else 0
    for problem in chosen:
        try:
            computed = cache.warm([problem], solutions=True)[problem.slug]
            print(f"{problem.slug:24} {len(problem.spec.cases)} cases ({computed} computed)")
        except ReferenceFailure as exc:
            print(f"{problem.slug:24} FAILED: {exc}")
            status = 1
    for e in errors:
        print(f"ERROR {e}")
    return status
