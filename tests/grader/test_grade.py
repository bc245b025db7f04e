"""Verdict mapping of grader.grade with a fake sandbox: the trusted logic, unit-tested.

The fake runner returns canned RunOutcomes as a real sandbox would report them (each
case carrying the executor's facts about its program); reference outputs come from a fake
cache computed with numpy, so these tests run no JAX at all.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from grader.cases import case_inputs
from grader.errors import ReferenceFailure, SandboxFailure, UnknownProblem
from grader.grade import STDOUT_WITHHELD, Grader
from grader.sandbox.protocol import (
    CaseOutcome,
    ProgramFacts,
    RawStudentError,
    RunLimits,
    RunOutcome,
    RunRequest,
)
from grader.spec import Forbid

# What the executor derives from a scan's program: a loop (stablehlo.while), and the
# same size for every length.
SCAN = ProgramFacts(
    op_count=14,
    op_counts={"stablehlo.while": 1, "stablehlo.add": 2, "stablehlo.multiply": 1},
    loops=1,
)
# jnp.cumsum: no loop, a windowed reduction instead.
CUMSUM = ProgramFacts(
    op_count=4, op_counts={"stablehlo.reduce_window": 1, "stablehlo.multiply": 1}, loops=0
)
# Every timing a real run reports; in submit mode only the first three kinds may show.
RUN_TIMINGS = {
    "spawn_ms": 3.0,
    "runner_peak_memory_mb": 210.5,
    "runner_ms": 480.0,
    "wall_ms": 900.0,
    "executor_peak_memory_mb": 330.0,
}
SUBMIT_TIMINGS = {"spawn_ms", "runner_peak_memory_mb", "reference_ms"}


def reference(args):
    return (np.cumsum(args["x"]) * args["scale"]).astype(np.float32)


class FakeReferences:
    def __init__(self, fail: bool = False):
        self.fail = fail

    def get(self, problem, cases, backend=None, *, derived=()):
        assert not derived, "these problems declare no gradient check"
        if self.fail:
            raise ReferenceFailure("reference exploded")
        return {c.name: reference(case_inputs(c.args, c.seed)) for c in cases}

    def warm(self, problems, backend=None, *, solutions=False):
        return {p.slug: 0 for p in problems}


class FakeRunner:
    """Answers every request with ``respond(request)``; records what it was asked."""

    def __init__(self, respond):
        self.respond = respond
        self.requests: list[RunRequest] = []
        self.limits: list[RunLimits] = []
        self.closed = False

    def run(self, request, limits, *, cancel=None):
        self.requests.append(request)
        self.limits.append(limits)
        return self.respond(request)

    def close(self):
        self.closed = True


def ran(name, output, facts=SCAN, *, loop_matters=True, vmap_calls=0, time_ms=1.5):
    """A case as the executor ran it: its output, and its program's facts."""
    return CaseOutcome(
        name,
        output=output,
        time_ms=time_ms,
        facts=facts,
        loop_matters=loop_matters if facts.loops else None,
        vmap_calls=vmap_calls,
    )


def correct(request: RunRequest) -> RunOutcome:
    return RunOutcome(
        kind="ok",
        cases=[ran(name, reference(args)) for name, args in request.all_cases],
        stdout="hello from the student\n",
        timings=dict(RUN_TIMINGS),
        isolation={"net": True},
    )


def with_outputs(fn, facts=None, **changes):
    """The correct outcome with each output replaced by ``fn(output)``, and optionally
    each case's program facts by ``facts[name]`` (and other fields by ``changes``)."""

    def respond(request):
        outcome = correct(request)
        cases = []
        for c in outcome.cases:
            fields = {"output": fn(c.output)}
            if facts is not None:
                program = facts[c.name]
                fields.update(facts=program, loop_matters=True if program.loops else None)
            cases.append(dataclasses.replace(c, **{**fields, **changes}))
        outcome.cases = cases
        return outcome

    return respond


def make(settings, respond, **kw):
    runner = FakeRunner(respond)
    return Grader(settings, runner, references=FakeReferences(**kw)), runner


def with_structure(grader, monkeypatch, **structure):
    """Change the fixture problem's structure spec for this test."""
    problem = grader.problem("running-total")
    new = problem.spec.structure.model_copy(update=structure)
    spec = problem.spec.model_copy(update={"structure": new})
    monkeypatch.setitem(
        grader.problems, "running-total", type(problem)(**{**problem.__dict__, "spec": spec})
    )


def test_correct_submission_passes_in_submit_mode(settings):
    grader, runner = make(settings, correct)
    result = grader.grade("running-total", "def running_total(x, scale): ...", "submit")
    assert result.status == "passed" and result.score == 1.0
    assert [c.name for c in result.cases] == ["small", "hidden-random"]
    assert [c.name for c in result.checks] == ["uses_scan", "not_unrolled"]
    assert all(c.passed for c in result.checks)
    assert result.summary == "All 2 test cases passed and all 2 checks."
    assert result.problem_version == grader.problem("running-total").content_hash
    assert result.mode == "submit" and result.backend == "cpu"
    assert result.isolation == {"net": True}
    assert result.advice == []
    # stdout is withheld in submit mode
    assert result.stdout == STDOUT_WITHHELD
    # the request carries inputs only, visible cases and hidden ones apart (only the
    # executor gets the hidden values), and the tolerance the loop check uses
    [request] = runner.requests
    assert [name for name, _ in request.cases] == ["small"]
    assert [name for name, _ in request.hidden_cases] == ["hidden-random"]
    assert [name for name, _ in request.all_cases] == ["small", "hidden-random"]
    assert (request.rtol, request.atol) == (1e-5, 1e-5)
    assert not hasattr(request, "probes")
    assert request.static_argnames == ("scale",)
    assert request.source.startswith("def running_total")


def test_run_mode_sends_only_visible_cases_and_shows_stdout_and_timings(settings):
    grader, runner = make(settings, correct)
    result = grader.grade("running-total", "code", "run")
    assert [name for name, _ in runner.requests[0].cases] == ["small"]
    assert runner.requests[0].hidden_cases == ()
    assert result.stdout == "hello from the student\n"
    assert result.summary.endswith("Submit to run the hidden cases too.")
    # no hidden input in the run: every timing may show
    assert set(RUN_TIMINGS) | {"reference_ms", "sandbox_ms", "total_ms"} == set(result.timings)
    assert result.timings["wall_ms"] == 900.0
    assert result.cases[0].time_ms == 1.5


def test_submit_mode_keeps_only_timings_no_hidden_value_can_move(settings):
    def respond(request):
        outcome = correct(request)
        outcome.timings.update(executor_ms=12.0, total_ms=1.0, sandbox_ms=2.0, cases_ms=3.0)
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert set(result.timings) == SUBMIT_TIMINGS
    assert result.timings["spawn_ms"] == 3.0 and result.timings["runner_peak_memory_mb"] == 210.5
    assert result.to_json_dict()["timings"] == result.timings


@pytest.mark.parametrize(
    "outcome",
    [
        RunOutcome(kind="ok", timings={"wall_ms": 5.0, "executor_peak_memory_mb": 1.0}),
        RunOutcome(kind="timeout", stage="executor", timings=dict(RUN_TIMINGS)),
        RunOutcome(kind="crashed", stage="executor", timings=dict(RUN_TIMINGS)),
        RunOutcome(kind="memory", stage="executor", timings={"spawn_ms": 1.0}),
        RunOutcome(kind="load_error", timings={}),
    ],
    ids=["ok-without-spawn", "timeout", "crashed", "memory", "load_error"],
)
def test_submit_mode_timings_whatever_the_outcome_reported(settings, outcome):
    grader, _ = make(settings, lambda request: dataclasses.replace(outcome))
    result = grader.grade("running-total", "code", "submit")
    assert set(result.timings) <= SUBMIT_TIMINGS
    assert "reference_ms" in result.timings  # measured by the trusted side
    assert set(result.timings) - {"reference_ms"} == set(outcome.timings) & SUBMIT_TIMINGS


@pytest.mark.parametrize("mode", ["run", "submit"])
def test_no_nan_reaches_the_result_document(settings, mode):
    def respond(request):
        outcome = correct(request)
        outcome.timings = {
            "spawn_ms": math.nan,
            "runner_peak_memory_mb": math.inf,
            "runner_ms": -math.inf,
            "wall_ms": math.nan,
            "executor_peak_memory_mb": 12.0,
        }
        # and an output full of NaN: its divergence must not carry one either
        outcome.cases = [
            dataclasses.replace(c, output=np.full_like(c.output, np.nan)) for c in outcome.cases
        ]
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", mode)
    assert result.status == "failed"
    json.dumps(result.to_json_dict(), allow_nan=False)  # raises on a NaN or an infinity
    assert all(math.isfinite(v) for v in result.timings.values())
    assert "spawn_ms" not in result.timings and "runner_peak_memory_mb" not in result.timings
    assert ("executor_peak_memory_mb" in result.timings) is (mode == "run")


def test_visible_case_shows_previews_hidden_case_only_status(settings):
    grader, _ = make(settings, with_outputs(lambda out: out + 1.0))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed" and result.score == 0.5
    visible, hidden = result.cases
    assert visible.status == "failed" and "value mismatch" in visible.message
    assert visible.inputs and visible.expected and visible.got and visible.divergence
    assert visible.time_ms == 1.5
    # the outcome reported a time for the hidden case too: it never shows
    assert hidden.model_dump(exclude_none=True) == {
        "name": "hidden-random",
        "hidden": True,
        "status": "failed",
    }
    assert "hidden-random" not in result.summary


def test_hidden_case_error_shows_only_its_status(settings):
    err = RawStudentError(type="ValueError", message="secret hidden value 0.123", lineno=2)

    def respond(request):
        outcome = correct(request)
        outcome.cases[1] = dataclasses.replace(outcome.cases[1], output=None, error=err)
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed"
    assert result.cases[1].model_dump(exclude_none=True) == {
        "name": "hidden-random",
        "hidden": True,
        "status": "error",
    }
    assert result.error is None  # only a visible case's error is explained
    assert "secret" not in json.dumps(result.to_json_dict())


def test_a_program_without_a_loop_fails_a_numerically_correct_answer(settings):
    facts = {"small": CUMSUM, "hidden-random": CUMSUM}
    grader, _ = make(settings, with_outputs(lambda out: out, facts=facts))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed"
    assert all(c.status == "passed" for c in result.cases)
    checks = {c.name: c for c in result.checks}
    assert not checks["uses_scan"].passed and checks["not_unrolled"].passed
    assert "contains no loop" in result.summary
    assert result.score == pytest.approx(3 / 4)


def test_a_loop_whose_result_does_not_matter_fails(settings):
    # e.g. a scan whose result is multiplied by zero; the answer computed some other way
    grader, _ = make(settings, with_outputs(lambda out: out, loop_matters=False))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed"
    assert all(c.status == "passed" for c in result.cases)
    [uses] = [c for c in result.checks if c.name == "uses_scan"]
    assert not uses.passed and "do not reach the output" in uses.message


def test_unrolled_loop_message(settings):
    # an unrolled Python loop: no loop op, and a program that grows with the length
    unrolled = {
        "small": ProgramFacts(op_count=25, op_counts={"stablehlo.add": 8}, loops=0),
        "hidden-random": ProgramFacts(op_count=73, op_counts={"stablehlo.add": 24}, loops=0),
    }
    grader, _ = make(settings, with_outputs(lambda out: out, facts=unrolled))
    result = grader.grade("running-total", "code", "submit")
    uses, nu = result.checks
    assert not uses.passed and not nu.passed
    assert nu.message == (
        "your program has 25 operations for case `small` and 73 for case `hidden-random`: it "
        "grows with the input, so a loop was unrolled in Python; use `jax.lax.scan` (and "
        "`jax.vmap` for a batch)"
    )
    # "unrolled" names the actual mistake, ahead of the missing loop
    assert "2 checks failed: your program has 25 operations" in result.summary


def test_forbidden_op_fails_with_the_rules_message(settings, monkeypatch):
    facts = {"small": CUMSUM, "hidden-random": CUMSUM}
    grader, _ = make(settings, with_outputs(lambda out: out, facts=facts))
    rule = {"op": "stablehlo.reduce_window", "message": "no jnp.cumsum: write it with a scan"}
    with_structure(grader, monkeypatch, forbid=(Forbid.model_validate(rule),))
    result = grader.grade("running-total", "code", "submit")
    checks = {c.name: c for c in result.checks}
    assert list(checks) == ["uses_scan", "not_unrolled", "no_reduce_window"]
    assert not checks["no_reduce_window"].passed
    assert checks["no_reduce_window"].message == rule["message"]


def test_vmap_advice_is_advice_not_a_check(settings, monkeypatch):
    grader, _ = make(settings, correct)
    with_structure(grader, monkeypatch, vmap=True)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "passed" and result.score == 1.0
    assert [c.name for c in result.checks] == ["uses_scan", "not_unrolled"]
    [note] = result.advice
    assert "`jax.vmap`" in note
    assert result.to_json_dict()["advice"] == [note]

    grader, _ = make(settings, with_outputs(lambda out: out, vmap_calls=1))
    with_structure(grader, monkeypatch, vmap=True)
    assert grader.grade("running-total", "code", "submit").advice == []


def test_case_that_raised_is_an_error_case(settings):
    err = RawStudentError(
        type="TypeError",
        message="add got incompatible shapes for broadcasting: (4,), (3,).",
        lineno=5,
    )

    def respond(request):
        outcome = correct(request)
        outcome.cases[0] = CaseOutcome("small", error=err)  # the export raised: no program
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed"
    assert result.cases[0].status == "error"
    assert result.cases[0].message.startswith("TypeError on line 5: add got incompatible shapes")
    assert result.error is not None and result.error.line == 5 and result.error.hint
    # the checks are judged on the program that was built
    assert all(c.passed for c in result.checks)


def test_every_export_raising_is_an_error_verdict_with_checks_not_checked(settings):
    err = RawStudentError(type="ZeroDivisionError", message="secret hidden value 0.123", lineno=2)

    def respond(request):
        outcome = correct(request)
        outcome.cases = [CaseOutcome(name, error=err) for name, _ in request.all_cases]
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "error" and result.score == 0
    assert all(not c.passed and "not checked" in c.message for c in result.checks)
    hidden = result.cases[1]
    assert hidden.message is None  # the student's exception text never shows for hidden cases
    assert "ZeroDivisionError on line 2" in result.summary


def test_every_program_failing_at_run_time_is_an_error_verdict(settings):
    # the programs were built (facts), and raised when the executor ran them
    err = RawStudentError(type="XlaRuntimeError", message="INTERNAL: boom", lineno=None)

    def respond(request):
        outcome = correct(request)
        outcome.cases = [
            CaseOutcome(name, error=err, time_ms=1.0, facts=SCAN) for name, _ in request.all_cases
        ]
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "error" and result.score == 0.5  # the checks still pass
    assert all(c.passed for c in result.checks)
    assert result.cases[1].message is None


def test_load_error_is_translated(settings):
    def respond(request):
        return RunOutcome(
            kind="load_error",
            load_error=RawStudentError(
                type="NameError", message="name 'jnp' is not defined", lineno=3
            ),
        )

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "error" and result.score == 0
    assert result.error.type == "NameError" and result.error.line == 3
    assert "import jax.numpy as jnp" in result.error.hint
    assert result.summary.startswith("Your code could not be loaded: NameError on line 3")
    assert all(c.status == "error" for c in result.cases)
    assert result.cases[1].message is None
    assert result.checks == []


@pytest.mark.parametrize(
    ("kind", "stage", "status", "phrase"),
    [
        ("timeout", "runner", "timeout", "Building your program took longer than 20 s"),
        ("timeout", "executor", "timeout", "compiled program ran longer than 20 s"),
        ("memory", "runner", "memory", "more than its 2048 MB of memory"),
        ("memory", "executor", "memory", "more than its 2048 MB of memory"),
        ("crashed", "runner", "error", "stopped without returning a result (killed by signal 11)"),
        ("crashed", "executor", "error", "crashed while running (killed by signal 11)"),
        ("output_too_large", "runner", "error", "returned more than 32 MB"),
    ],
)
def test_run_failures(settings, kind, stage, status, phrase):
    def respond(request):
        return RunOutcome(kind=kind, stage=stage, detail="killed by signal 11")

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == status and result.score == 0
    assert phrase in result.summary
    assert all(c.status == "error" for c in result.cases)
    assert result.cases[1].model_dump(exclude_none=True) == {
        "name": "hidden-random",
        "hidden": True,
        "status": "error",
    }
    if (kind, stage) == ("timeout", "runner"):
        assert "use lax.scan" in result.summary


def test_problem_time_limit_lowers_wall_time(settings, monkeypatch):
    grader, runner = make(settings, correct)
    problem = grader.problem("running-total")
    lowered = problem.spec.model_copy(update={"time_limit_s": 3.0})
    monkeypatch.setitem(
        grader.problems, "running-total", type(problem)(**{**problem.__dict__, "spec": lowered})
    )
    grader.grade("running-total", "code", "run")
    assert runner.limits[0].wall_time_s == 3.0


def test_empty_and_oversized_code_never_reach_the_sandbox(settings):
    grader, runner = make(settings, correct)
    empty = grader.grade("running-total", "   \n", "run")
    big = grader.grade("running-total", "#" * (settings.limits.max_source_bytes + 1), "run")
    assert empty.status == big.status == "error"
    assert "empty" in empty.summary and "limited to 256 KiB" in big.summary
    assert runner.requests == []


def test_unknown_slug(settings):
    grader, _ = make(settings, correct)
    with pytest.raises(UnknownProblem, match="running-total"):
        grader.grade("nope", "code", "run")


def test_platform_faults_raise_and_are_never_results(settings):
    def broken(request):
        raise SandboxFailure("zygote died")

    grader, _ = make(settings, broken)
    with pytest.raises(SandboxFailure):
        grader.grade("running-total", "code", "run")
    assert not hasattr(grader, "grade_or_system_error")  # one way to report a fault

    grader, _ = make(settings, correct, fail=True)
    with pytest.raises(ReferenceFailure):
        grader.grade("running-total", "code", "run")


def test_output_structure_mismatch(settings):
    grader, _ = make(settings, with_outputs(lambda out: (out, out)))
    result = grader.grade("running-total", "code", "run")
    assert (
        result.cases[0].message
        == "output: wrong structure: expected a single array of shape (4,), "
        "got a tuple of 2 outputs"
    )


def test_result_json_has_schema(settings):
    grader, _ = make(settings, correct)
    doc = grader.grade("running-total", "code", "submit").to_json_dict()
    assert doc["schema"] == 1 and doc["status"] == "passed" and doc["advice"] == []
    json.dumps(doc, allow_nan=False)


def test_request_carries_inputs_only_never_reference_code_or_outputs(settings):
    grader, runner = make(settings, correct)
    problem = grader.problem("running-total")
    grader.grade("running-total", "student code", "submit")
    [request] = runner.requests
    assert request.source == "student code"
    assert problem.reference_path.read_text() not in repr(request)
    expected = FakeReferences().get(problem, problem.spec.cases)
    for name, args in request.all_cases:
        assert set(args) == {"x", "scale"}
        assert not np.array_equal(args["x"], expected[name])


def test_grading_a_version_other_than_the_folders_raises(settings):
    from grader.errors import ProblemChanged

    grader, runner = make(settings, correct)
    current = grader.problem("running-total").content_hash
    assert grader.grade("running-total", "code", "submit", version=current).status == "passed"
    with pytest.raises(ProblemChanged) as info:
        grader.grade("running-total", "code", "submit", version="0" * 16)
    assert (info.value.wanted, info.value.found) == ("0" * 16, current)
    assert len(runner.requests) == 1  # nothing was run for the other version
