"""Grader commands of the ``jaxdojo`` CLI: grade, doctor, problems."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the grader's subcommands to the top-level parser's subparsers."""
    problems = sub.add_parser("problems", help="list and validate problems")
    psub = problems.add_subparsers(dest="problems_command", required=True)
    lst = psub.add_parser("list", help="list the problems found")
    lst.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    from grader.config import get_grader_settings
    from grader.spec import load_problems

    problems, errors = load_problems(get_grader_settings().problems_dir)
    for p in problems.values():
        print(f"{p.slug:24} {p.spec.difficulty:7} {p.spec.title}")
    for e in errors:
        print(f"ERROR {e}")
    return 1 if errors else 0
