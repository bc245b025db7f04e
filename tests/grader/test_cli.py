"""The grader's CLI commands, with a fake sandbox: exit codes, JSON and the readable report."""

from __future__ import annotations

import argparse
import json

import pytest

from grader import cli as grader_cli
from grader.errors import IsolationUnavailable
from grader.grade import Grader
from grader.refcache import ReferenceCache
from grader.sandbox.protocol import CaseOutcome, JaxprFacts, RawStudentError, RunOutcome

from .test_grade import FakeReferences, FakeRunner, correct


def fake_sandbox(request):
    """Stands in for the sandbox on the fixture's own (trusted) solution files."""
    if "def running_total(x, scale)\n" in request.source:
        return RunOutcome(
            kind="load_error",
            load_error=RawStudentError("SyntaxError", "expected ':'", lineno=3),
        )
    outcome = correct(request)
    if "cumsum" in request.source:
        facts = JaxprFacts(eqn_count=3, primitives={"cumsum": 1}, vmap_calls=0)
        outcome.facts = {"short": facts, "long": facts}
    return outcome


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


def test_failed_verdict_still_exits_zero_and_report_has_no_colour(
    monkeypatch, settings, solution, capsys
):
    def wrong(request):
        outcome = correct(request)
        outcome.cases = [CaseOutcome(c.name, output=c.output * 0) for c in outcome.cases]
        return outcome

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


def test_system_error_is_a_result(monkeypatch, settings, solution, capsys):
    code = run_cli(
        ["grade", "running-total", str(solution), "--json"],
        monkeypatch,
        settings,
        references=FakeReferences(fail=True),
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["status"] == "system_error"


def test_problems_list(monkeypatch, settings, capsys):
    assert run_cli(["problems", "list"], monkeypatch, settings) == 0
    assert "running-total" in capsys.readouterr().out


def test_problems_validate_passes_on_fixture(monkeypatch, settings, capsys):
    code = run_cli(
        ["problems", "validate"], monkeypatch, settings, fake_sandbox, ReferenceCache(settings)
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok    wrong/cumsum.py" in out
    assert "1 of 1 problem(s) valid" in out


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
