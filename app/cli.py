"""The ``jaxdojo`` command: grading commands from ``grader.cli``, platform commands here."""

from __future__ import annotations

import argparse
import sys

from app import commands
from grader import cli as grader_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jaxdojo", description="Practice JAX by doing.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    grader_cli.register(sub)
    commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
