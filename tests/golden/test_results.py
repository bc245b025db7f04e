"""Whole-result golden files: a few representative solutions, every field of the result.

``test_solutions.py`` checks only the status and a message substring of every known
solution; here a handful of them are graded through the real sandbox and the *entire*
result document is compared with ``results/<slug>/<kind>-<name>.<mode>.json``.

Only what legitimately varies between machines and runs is normalised (see
:func:`normalise`): ``timings`` and ``time_ms`` are dropped, ``isolation`` keeps only its
top-level keys, and the floats of a ``divergence`` are rounded to 3 significant digits.
Everything else (status, score, summary, every case, check, error, advice, stdout,
problem_version) must match exactly.

To regenerate after an intentional change (a new message, a problem edit)::

    JAXDOJO_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden -k whole_result -p no:cacheprovider

Every file is rewritten, and each test whose file changed (or was created) FAILS with
"regenerated, review the diff", so that a regeneration never passes silently: review
``git diff tests/golden/results``, then run again without the variable.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from grader.grade import Grader
from grader.result import GradeResult, Mode

from .conftest import PROBLEMS_DIR

pytestmark = pytest.mark.slow

RESULTS_DIR = Path(__file__).parent / "results"
UPDATE = os.environ.get("JAXDOJO_UPDATE_GOLDEN", "") not in ("", "0")

# (slug, kind, solution file stem, mode), each chosen for what it exercises.
GOLDEN: list[tuple[str, str, str, Mode]] = [
    # everything passes: every visible preview, every check message
    ("cumulative-sum", "correct", "closure_step", "submit"),
    # wrong values: divergence, worst index, first bad step, the shifted-by-one advice
    ("cumulative-sum", "wrong", "exclusive_scan", "submit"),
    # the same in run mode: visible cases only, the "visible examples" summary
    ("cumulative-sum", "wrong", "exclusive_scan", "run"),
    # right values, failing structure checks (no scan; a windowed reduction)
    ("cumulative-sum", "wrong", "uses_cumsum", "submit"),
    # an exception: type, message, line, hint, student-only traceback, checks not run
    ("powers-of-two", "wrong", "int_of_tracer", "submit"),
    # Flax linen: a Flax error translated into advice, traceback through module frames
    ("flax-scan-rnn", "wrong", "params_not_broadcast", "submit"),
    # Flax NNX: a float32 RNN value mismatch (previews of nested inputs, rounded floats)
    ("nnx-scan-rnn", "wrong", "ones_initial_state", "submit"),
    # right values, a gradient cut by stop_gradient: the grad check on exported
    # jax.grad programs, the vmap check passing, derived cases not listed as cases
    ("rnn-forward", "wrong", "stop_gradient_carry", "submit"),
    # parameters from another key: the initialisation diagnosis names the kernel
    ("flax-init-and-apply", "wrong", "split_key", "run"),
]


def golden_path(slug: str, kind: str, name: str, mode: str) -> Path:
    return RESULTS_DIR / slug / f"{kind}-{name}.{mode}.json"


def _round_sig(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}")


def normalise(result: GradeResult) -> dict[str, Any]:
    """The result as JSON data, without what varies between machines and runs."""
    data: dict[str, Any] = json.loads(json.dumps(result.to_json_dict()))
    data.pop("timings", None)
    data["isolation"] = sorted(data.get("isolation") or {})
    for case in data["cases"]:
        case.pop("time_ms", None)
        divergence = case.get("divergence")
        if divergence:
            for key in ("max_abs_error", "max_rel_error"):
                if isinstance(divergence.get(key), float):
                    divergence[key] = _round_sig(divergence[key])
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("slug", "kind", "name", "mode"),
    [pytest.param(*g, id=f"{g[0]}/{g[1]}/{g[2]}.{g[3]}") for g in GOLDEN],
)
def test_whole_result_matches_golden_file(
    real_grader: Grader, slug: str, kind: str, name: str, mode: Mode
) -> None:
    if real_grader.settings.backend != "cpu":
        pytest.skip("golden results are recorded on the CPU backend")
    code = (PROBLEMS_DIR / slug / "solutions" / kind / f"{name}.py").read_text("utf-8")
    actual = normalise(real_grader.grade(slug, code, mode))
    path = golden_path(slug, kind, name, mode)
    if UPDATE:
        old = path.read_text("utf-8") if path.exists() else ""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(actual), "utf-8")
        if old != dumps(actual):
            pytest.fail(
                f"regenerated {path.relative_to(RESULTS_DIR)}, review the diff", pytrace=False
            )
        return
    if not path.exists():
        pytest.fail(f"no golden file {path}; create it with JAXDOJO_UPDATE_GOLDEN=1")
    expected = json.loads(path.read_text("utf-8"))
    if actual != expected:
        diff = difflib.unified_diff(
            dumps(expected).splitlines(),
            dumps(actual).splitlines(),
            fromfile=f"golden {path.relative_to(RESULTS_DIR)}",
            tofile="graded now",
            lineterm="",
        )
        pytest.fail(
            "the result differs from its golden file (JAXDOJO_UPDATE_GOLDEN=1 regenerates):\n"
            + "\n".join(diff),
            pytrace=False,
        )


def test_every_golden_file_is_listed() -> None:
    """A file left behind by a removed entry would never be compared again."""
    listed = {golden_path(*g) for g in GOLDEN}
    stored = set(RESULTS_DIR.glob("*/*.json"))
    assert sorted(str(p.relative_to(RESULTS_DIR)) for p in stored - listed) == []
