"""The problem spec schema and loader: good folders load, bad ones are reported with
file and field and never hide the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.spec import ArrayGen, ArrayLiteral, load_problem, load_problems, parse_arg_value

GOOD_FRONT_MATTER = """---
title: Running sum
difficulty: easy
tags: [scan]
entry_point: cumulative_sum
args:
  - name: x
cases:
  - name: example
    visible: true
    args:
      x: {value: [1, 2, 3], dtype: float32}
  - name: hidden-1
    seed: 3
    args:
      x: {shape: [16], dist: normal}
structure:
  uses: [scan]
  not_unrolled: {max_growth: 1.2}
---
# Running sum

Statement text.
"""


def make_problem(root: Path, slug: str, front: str = GOOD_FRONT_MATTER) -> Path:
    d = root / slug
    (d / "solutions" / "correct").mkdir(parents=True)
    (d / "solutions" / "wrong").mkdir(parents=True)
    (d / "problem.md").write_text(front)
    (d / "starter.py").write_text("def cumulative_sum(x):\n    raise NotImplementedError\n")
    (d / "reference.py").write_text("def cumulative_sum(x):\n    return x\n")
    (d / "solutions" / "correct" / "a.py").write_text("def cumulative_sum(x):\n    return x\n")
    (d / "solutions" / "wrong" / "loop.py").write_text(
        "# expect-status: failed\n# expect-message: unrolled\ndef cumulative_sum(x):\n"
    )
    return d


def test_good_problem_loads(tmp_path: Path) -> None:
    problem = load_problem(make_problem(tmp_path, "running-sum"))
    assert problem.slug == "running-sum"
    assert problem.spec.entry_point == "cumulative_sum"
    assert problem.spec.static_argnames == ()
    assert [c.name for c in problem.spec.cases_for("run")] == ["example"]
    assert [c.name for c in problem.spec.cases_for("submit")] == ["example", "hidden-1"]
    assert isinstance(problem.spec.cases[0].args["x"], ArrayLiteral)
    assert isinstance(problem.spec.cases[1].args["x"], ArrayGen)
    assert problem.statement.startswith("# Running sum")
    wrong = [s for s in problem.solutions if s.kind == "wrong"]
    assert wrong[0].expect_status == "failed"
    assert wrong[0].expect_message == "unrolled"
    assert len(problem.content_hash) == 16


def test_content_hash_changes_with_reference(tmp_path: Path) -> None:
    d = make_problem(tmp_path, "running-sum")
    before = load_problem(d).content_hash
    (d / "reference.py").write_text("def cumulative_sum(x):\n    return x * 1\n")
    assert load_problem(d).content_hash != before


def test_bad_problem_reports_file_and_field_and_hides_nothing(tmp_path: Path) -> None:
    make_problem(tmp_path, "good-one")
    make_problem(
        tmp_path, "bad-one", GOOD_FRONT_MATTER.replace("difficulty: easy", "difficulty: 9")
    )
    problems, errors = load_problems(tmp_path)
    assert list(problems) == ["good-one"]
    assert len(errors) == 1
    assert errors[0].slug == "bad-one"
    assert errors[0].file == "problem.md"
    assert errors[0].field == "difficulty"


@pytest.mark.parametrize(
    ("mutation", "needle"),
    [
        (("visible: true", "visible: false"), "visible"),
        (("  - name: x\n", "  - name: x\n  - name: y\n"), "do not match"),
        (("entry_point: cumulative_sum", "entry_point: 1bad"), "identifier"),
        (("---\ntitle", "title"), "front matter"),
        (("shape: [16], dist: normal", "shape: [16], dist: cauchy"), "dist"),
    ],
)
def test_invalid_specs_are_explained(
    tmp_path: Path, mutation: tuple[str, str], needle: str
) -> None:
    make_problem(tmp_path, "p", GOOD_FRONT_MATTER.replace(*mutation, 1))
    problems, errors = load_problems(tmp_path)
    assert problems == {}
    assert errors, "an invalid spec must be reported"
    assert any(needle in f"{e.field} {e.message}" for e in errors), errors


def test_missing_files_are_reported(tmp_path: Path) -> None:
    d = make_problem(tmp_path, "p")
    (d / "reference.py").unlink()
    _, errors = load_problems(tmp_path)
    assert [(e.file, e.message) for e in errors] == [("reference.py", "missing file")]


def test_wrong_solution_cannot_expect_pass(tmp_path: Path) -> None:
    d = make_problem(tmp_path, "p")
    (d / "solutions" / "wrong" / "x.py").write_text("# expect-status: passed\n")
    _, errors = load_problems(tmp_path)
    assert "cannot expect 'passed'" in errors[0].message


def test_parse_arg_value_nested_params() -> None:
    value = parse_arg_value({"W": {"shape": [2, 2]}, "b": {"value": [1, 2]}}, "params")
    assert isinstance(value["W"], ArrayGen)
    assert isinstance(value["b"], ArrayLiteral)
    with pytest.raises(ValueError, match="expected a number"):
        parse_arg_value("text", "x")


def test_bundled_problems_all_load() -> None:
    from grader.config import REPO_ROOT

    problems, errors = load_problems(REPO_ROOT / "problems")
    assert errors == []
    # The 32 slugs of the curriculum (fixed: tests and outside clients use them).
    expected = {
        "associative-scan",
        "batched-running-sum",
        "bidirectional-rnn",
        "cumulative-sum",
        "euler-ode",
        "flax-init-and-apply",
        "flax-nn-scan-layers",
        "flax-nn-vmap-ensemble",
        "flax-scan-rnn",
        "flax-train-flag",
        "grad-through-scan",
        "jit-static-args",
        "lax-scan-in-module",
        "lstm-forward",
        "nnx-jit",
        "nnx-rngs",
        "nnx-scan-layers",
        "nnx-scan-rnn",
        "nnx-split-merge",
        "nnx-train-step",
        "nnx-vmap-ensemble",
        "powers-of-two",
        "prng-split",
        "pytree-map",
        "reverse-scan",
        "rnn-forward",
        "running-max",
        "scan-over-layers",
        "scan-xs-none-ema",
        "tree-flatten-unflatten",
        "value-and-grad",
        "vmap-in-axes",
    }
    assert len(expected) == 32
    assert expected <= set(problems)


def test_tracks_order_the_list_and_prerequisites_must_exist(tmp_path: Path) -> None:
    make_problem(
        tmp_path,
        "late-core",
        GOOD_FRONT_MATTER.replace("title:", "track: jax-core\norder: 90\ntitle:", 1),
    )
    make_problem(tmp_path, "early-scan", GOOD_FRONT_MATTER.replace("title:", "order: 1\ntitle:", 1))
    make_problem(
        tmp_path,
        "needs-one",
        GOOD_FRONT_MATTER.replace("title:", "order: 2\nprerequisites: [early-scan]\ntitle:", 1),
    )
    make_problem(
        tmp_path,
        "needs-ghost",
        GOOD_FRONT_MATTER.replace("title:", "prerequisites: [no-such-problem]\ntitle:", 1),
    )
    make_problem(
        tmp_path, "odd-track", GOOD_FRONT_MATTER.replace("title:", "track: cooking\ntitle:", 1)
    )
    problems, errors = load_problems(tmp_path)
    # jax-core comes before scan whatever the order numbers say.
    assert list(problems) == ["late-core", "early-scan", "needs-one"]
    assert problems["needs-one"].spec.prerequisites == ("early-scan",)
    by_slug = {e.slug: e for e in errors}
    assert set(by_slug) == {"needs-ghost", "odd-track"}
    assert by_slug["needs-ghost"].field == "prerequisites"
    assert "no-such-problem" in by_slug["needs-ghost"].message
    assert "track" in str(by_slug["odd-track"])


def test_requires_must_be_requirements(tmp_path: Path) -> None:
    make_problem(
        tmp_path, "pinned", GOOD_FRONT_MATTER.replace("title:", "requires: [flax>=0.12]\ntitle:", 1)
    )
    make_problem(
        tmp_path,
        "garbled",
        GOOD_FRONT_MATTER.replace("title:", "requires: ['flax >>= twelve']\ntitle:", 1),
    )
    problems, errors = load_problems(tmp_path)
    assert problems["pinned"].spec.requires == ("flax>=0.12",)
    assert [e.slug for e in errors] == ["garbled"] and "requirement" in str(errors[0])


def test_readme_lists_every_problem() -> None:
    """The README's table is written from the folders; a new problem must refresh it."""
    import subprocess
    import sys

    from grader.config import REPO_ROOT

    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "problems_table.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
