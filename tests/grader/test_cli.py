"""The grader's CLI commands, with a fake sandbox: exit codes, JSON and the readable report."""

from __future__ import annotations

import argparse
import json

import pytest

from grader import cli as grader_cli
from grader.errors import IsolationUnavailable
from grader.grade import STDOUT_WITHHELD, Grader
from grader.refcache import ReferenceCache
from grader.sandbox.protocol import RawStudentError, RunOutcome

from .test_grade import CUMSUM, FakeReferences, FakeRunner, correct, with_outputs


def fake_sandbox(request):
    """Stands in for the sandbox on the fixture's own (trusted) solution files."""
    if "def running_total(x, scale)\n" in request.source:
        return RunOutcome(
            kind="load_error",
            load_error=RawStudentError("SyntaxError", "expected ':'", lineno=3),
        )
    if "cumsum" in request.source:
        # what the executor reports for jnp.cumsum: no loop in either program
        facts = {"small": CUMSUM, "hidden-random": CUMSUM}
        return with_outputs(lambda out: out, facts=facts)(request)
    return correct(request)


def run_cli(argv, monkeypatch, settings, respond=correct, references=None):
    monkeypatch.setattr(grader_cli, "_settings", lambda: settings)
    monkeypatch.setattr(
        grader_cli,
        "_make_grader",
        lambda s: Grader(s, FakeRunner(respond), references=references or FakeReferences()),
    )
    parser = argparse.ArgumentParser(prog="jaxdojo")
    grader_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def solution(tmp_path):
    path = tmp_path / "sol.py"
    path.write_text("def running_total(x, scale): ...\n")
    return path


def test_grade_json_exits_zero(monkeypatch, settings, solution, capsys):
    code = run_cli(["grade", "running-total", str(solution), "--json"], monkeypatch, settings)
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["schema"] == 1 and doc["status"] == "passed" and doc["mode"] == "submit"
    assert [c["name"] for c in doc["checks"]] == ["uses_scan", "not_unrolled"]
    assert doc["advice"] == []
    # submit mode: stdout withheld, the hidden case only named, only safe timings
    assert doc["stdout"] == STDOUT_WITHHELD
    assert {k for k, v in doc["cases"][1].items() if v is not None} == {"name", "hidden", "status"}
    assert set(doc["timings"]) == {"spawn_ms", "runner_peak_memory_mb", "reference_ms"}


def test_grade_json_has_no_nan_even_if_the_sandbox_reports_one(
    monkeypatch, settings, solution, capsys
):
    def respond(request):
        outcome = correct(request)
        outcome.timings.update(spawn_ms=float("nan"), wall_ms=float("inf"))
        return outcome

    for mode in ("run", "submit"):
        argv = ["grade", "running-total", str(solution), "--json", "--mode", mode]
        assert run_cli(argv, monkeypatch, settings, respond) == 0
        out = capsys.readouterr().out
        doc = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
        assert "spawn_ms" not in doc["timings"] and "wall_ms" not in doc["timings"]
        assert doc["status"] == "passed"


def test_failed_verdict_still_exits_zero_and_report_has_no_colour(
    monkeypatch, settings, solution, capsys
):
    wrong = with_outputs(lambda out: out * 0)
    code = run_cli(
        ["grade", "running-total", str(solution), "--mode", "run"], monkeypatch, settings, wrong
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("running-total: FAILED")
    assert "✗ small: output: value mismatch" in out
    assert "expected:" in out and "got:" in out
    assert "\033[" not in out


def test_colour_only_on_a_tty():
    from grader.result import GradeResult

    result = GradeResult(status="passed", score=1.0, summary="ok", problem="p")
    assert "\033[" in grader_cli.format_result(result, color=True)
    assert "\033[" not in grader_cli.format_result(result, color=False)


def test_unknown_slug_lists_valid_ones(monkeypatch, settings, solution, capsys):
    code = run_cli(["grade", "nope", str(solution)], monkeypatch, settings)
    err = capsys.readouterr().err
    assert code == grader_cli.EXIT_USAGE
    assert "unknown problem 'nope'" in err and "running-total" in err


def test_unreadable_file(monkeypatch, settings, tmp_path, capsys):
    code = run_cli(["grade", "running-total", str(tmp_path / "missing.py")], monkeypatch, settings)
    assert code == grader_cli.EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err


def test_isolation_unavailable_is_not_a_result(monkeypatch, settings, solution, capsys):
    def refuse(request):
        raise IsolationUnavailable("full isolation is required but seccomp is missing.")

    code = run_cli(["grade", "running-total", str(solution)], monkeypatch, settings, refuse)
    assert code == grader_cli.EXIT_UNAVAILABLE
    assert "jaxdojo doctor" in capsys.readouterr().err


def test_a_failed_reference_is_no_verdict(monkeypatch, settings, solution, capsys):
    """Grading could not happen: exit non-zero with the reason, and print no result."""
    code = run_cli(
        ["grade", "running-total", str(solution), "--json"],
        monkeypatch,
        settings,
        references=FakeReferences(fail=True),
    )
    assert code == grader_cli.EXIT_UNAVAILABLE
    out = capsys.readouterr()
    assert out.out == "" and "ReferenceFailure" in out.err


def test_problems_list(monkeypatch, settings, capsys):
    assert run_cli(["problems", "list"], monkeypatch, settings) == 0
    assert "running-total" in capsys.readouterr().out


def mutants_caught(request):
    """The fake sandbox, except that a mutant of the reference (it carries the mutation
    prelude's helpers) gets wrong values, as a problem's cases should make it."""
    if "_jd_" in request.source:
        return with_outputs(lambda out: out + 1.0)(request)
    return fake_sandbox(request)


def test_problems_validate_passes_on_fixture(monkeypatch, settings, capsys):
    code = run_cli(
        ["problems", "validate"], monkeypatch, settings, mutants_caught, ReferenceCache(settings)
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok    wrong/cumsum.py" in out
    assert "ok    mutants: 5 generated, 5 killed, 0 equivalent, 0 surviving" in out
    assert "1 of 1 problem(s) valid" in out
    from grader.reports import load_report

    stored = load_report(settings.data_dir, "running-total")  # for the instructor pages
    assert stored is not None and stored["ok"] and stored["mutation"]
    assert any("5 killed" in f["detail"] for f in stored["findings"] if f["what"] == "mutants")


def test_problems_validate_fails_on_a_surviving_mutant(monkeypatch, settings, capsys):
    argv = ["problems", "validate"]
    refs = ReferenceCache(settings)
    assert run_cli(argv, monkeypatch, settings, fake_sandbox, refs) == 1  # mutants all pass
    out = capsys.readouterr().out
    assert "FAIL  mutant scan-reverse@" in out and "still passes every case" in out
    assert run_cli([*argv, "--no-mutants"], monkeypatch, settings, fake_sandbox, refs) == 0
    assert "mutants" not in capsys.readouterr().out


def test_problems_validate_reports_mismatched_expectations(monkeypatch, settings, capsys):
    # this sandbox says every file passes: the wrong solutions' headers are not honoured
    code = run_cli(["problems", "validate", "running-total"], monkeypatch, settings, correct)
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  wrong/cumsum.py: expected status failed, got passed" in out
    assert "FAIL  wrong/syntax.py" in out


def test_problems_validate_unknown_slug(monkeypatch, settings, capsys):
    assert run_cli(["problems", "validate", "nope"], monkeypatch, settings) == 1
    assert "no problem named 'nope'" in capsys.readouterr().out


def test_doctor_delegates_to_the_sandbox_doctor(monkeypatch, settings):
    from grader.sandbox import doctor

    calls = []
    monkeypatch.setattr(doctor, "main", lambda args: calls.append(args) or 7)
    assert run_cli(["doctor", "--json"], monkeypatch, settings) == 7
    assert run_cli(["doctor"], monkeypatch, settings) == 7
    assert calls == [["--json"], []]


def test_grade_exits_non_zero_on_a_platform_fault(tmp_path, monkeypatch, settings, capsys):
    """A fault on our side is no verdict: no result is printed and the exit code says so."""
    from grader.errors import SandboxFailure

    def broken(request):
        raise SandboxFailure("zygote died")

    source = tmp_path / "solution.py"
    source.write_text("x = 1\n")
    code = run_cli(["grade", "running-total", str(source), "--json"], monkeypatch, settings, broken)
    assert code == grader_cli.EXIT_UNAVAILABLE
    out = capsys.readouterr()
    assert out.out == "" and "grading failed on our side" in out.err and "zygote died" in out.err


def test_problems_new_scaffolds_a_folder_that_loads(monkeypatch, settings, tmp_path, capsys):
    from grader.spec import load_problem

    root = tmp_path / "problems"
    root.mkdir()
    code = run_cli(
        ["problems", "new", "running-product", "--dir", str(root), "--track", "jax-core"],
        monkeypatch,
        settings,
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "problem.md" in out and "jaxdojo problems validate running-product" in out
    problem = load_problem(root / "running-product")
    assert problem.spec.entry_point == "running_product"
    assert problem.spec.track == "jax-core"
    kinds = sorted((s.kind, s.expect_status) for s in problem.solutions)
    assert kinds == [("correct", "passed"), ("wrong", "failed")]
    front = (root / "running-product" / "problem.md").read_text()
    for field in ("tolerance_by_backend", "checks:", "mutants:", "forbid:", "time_limit_s"):
        assert field in front, f"the scaffold does not show {field}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Running_Product"], "is not a slug"),
        (["ok-slug", "--track", "rust"], "unknown track"),
        (["exists"], "already exists"),
    ],
)
def test_problems_new_refuses_clearly(monkeypatch, settings, tmp_path, capsys, argv, message):
    (tmp_path / "exists").mkdir()
    (tmp_path / "exists" / "problem.md").write_text("keep me")
    code = run_cli(["problems", "new", *argv, "--dir", str(tmp_path)], monkeypatch, settings)
    assert code == grader_cli.EXIT_USAGE
    assert message in capsys.readouterr().err
    assert (tmp_path / "exists" / "problem.md").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists"]
