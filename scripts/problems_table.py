"""Write the README's table of problems from the problem folders (``--check``: only compare).

The table sits between the "## The problems" heading and the next "###" heading; its
rows come from each problem's front matter (track, slug, entry point, summary), in the
order the problem list shows them, so the README cannot drift from the folders.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.problems import TRACK_TITLES  # noqa: E402
from grader.spec import TRACKS, load_problems  # noqa: E402

SECTION = re.compile(r"(## The problems\n\n)(.*?)(\n### )", re.S)


def table() -> str:
    problems, errors = load_problems(ROOT / "problems")
    if errors:
        raise SystemExit("problems that do not load:\n" + "\n".join(map(str, errors)))
    used = [t for t in TRACKS if any(p.spec.track == t for p in problems.values())]
    lines = [
        f"{len(problems)} problems in {len(used)} tracks, in the order the problem list shows "
        "them (each front matter is the contract: entry point, arguments, cases).",
        "",
        "| track | slug | entry point | what it asks |",
        "|---|---|---|---|",
    ]
    for slug, problem in problems.items():
        spec = problem.spec
        args = ", ".join(a.name for a in spec.args)
        summary = spec.summary.replace("|", "\\|")
        lines.append(
            f"| {TRACK_TITLES[spec.track]} | `{slug}` | `{spec.entry_point}({args})` | {summary} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    ns = parser.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text("utf-8")
    match = SECTION.search(text)
    if match is None:
        print("README.md has no '## The problems' section followed by a '###' heading")
        return 1
    new = text[: match.start(2)] + table() + text[match.end(2) :]
    if ns.check:
        if new != text:
            print("README.md's problem table is stale: run python scripts/problems_table.py")
            return 1
        return 0
    readme.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
