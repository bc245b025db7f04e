"""Verdict mapping of grader.grade with a fake sandbox: the trusted logic, unit-tested.

The fake runner returns canned RunOutcomes as a real sandbox would report them; reference
outputs come from a fake cache computed with numpy, so these tests run no JAX at all.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.cases import case_inputs
from grader.errors import ReferenceFailure, SandboxFailure, UnknownProblem
from grader.grade import STDOUT_WITHHELD, Grader
from grader.sandbox.protocol import (
    CaseOutcome,
    JaxprFacts,
    RawStudentError,
    RunLimits,
    RunOutcome,
    RunRequest,
)

SCAN_FACTS = {
    "short": JaxprFacts(eqn_count=6, primitives={"scan": 1, "add": 2}, vmap_calls=0),
    "long": JaxprFacts(eqn_count=6, primitives={"scan": 1, "add": 2}, vmap_calls=0),
}


def reference(args):
    return (np.cumsum(args["x"]) * args["scale"]).astype(np.float32)


class FakeReferences:
    def __init__(self, fail: bool = False):
        self.fail = fail

    def get(self, problem, cases, backend=None):
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

    def run(self, request, limits):
        self.requests.append(request)
        self.limits.append(limits)
        return self.respond(request)

    def close(self):
        self.closed = True


def correct(request: RunRequest) -> RunOutcome:
    cases = [
        CaseOutcome(name, output=reference(args), time_ms=1.5) for name, args in request.all_cases
    ]
    return RunOutcome(
        kind="ok",
        cases=cases,
        facts=dict(SCAN_FACTS),
        stdout="hello from the student\n",
        timings={"queue_ms": 1.0, "compile_ms": 20.0},
        isolation={"net": True},
    )


def with_outputs(fn, facts=None):
    def respond(request):
        outcome = correct(request)
        outcome.cases = [CaseOutcome(c.name, output=fn(c.output)) for c in outcome.cases]
        if facts is not None:
            outcome.facts = facts
        return outcome

    return respond


def make(settings, respond, **kw):
    runner = FakeRunner(respond)
    return Grader(settings, runner, references=FakeReferences(**kw)), runner


def test_correct_submission_passes_in_submit_mode(settings):
    grader, runner = make(settings, correct)
    result = grader.grade("running-total", "def running_total(x, scale): ...", "submit")
    assert result.status == "passed" and result.score == 1.0
    assert [c.name for c in result.cases] == ["small", "hidden-random"]
    assert [c.name for c in result.checks] == ["uses_scan", "not_unrolled"]
    assert result.summary == "All 2 test cases passed and all 2 structure checks."
    assert result.problem_version == grader.problem("running-total").content_hash
    assert result.mode == "submit" and result.backend == "cpu"
    assert result.isolation == {"net": True}
    assert {"queue_ms", "compile_ms", "total_ms", "sandbox_ms"} <= set(result.timings)
    # stdout could leak hidden inputs: withheld in submit mode
    assert result.stdout == STDOUT_WITHHELD
    # the request carries inputs only, visible cases and hidden ones apart (the sandbox
    # sends the hidden inputs only after the visible results are back), and the probes
    [request] = runner.requests
    assert [name for name, _ in request.cases] == ["small"]
    assert [name for name, _ in request.hidden_cases] == ["hidden-random"]
    assert [name for name, _ in request.probes] == ["short", "long"]
    assert request.static_argnames == ("scale",)
    assert request.source.startswith("def running_total")


def test_run_mode_sends_only_visible_cases_and_shows_stdout(settings):
    grader, runner = make(settings, correct)
    result = grader.grade("running-total", "code", "run")
    assert [name for name, _ in runner.requests[0].cases] == ["small"]
    assert runner.requests[0].hidden_cases == ()  # run mode: a single phase
    assert result.stdout == "hello from the student\n"
    assert result.summary.endswith("Submit to run the hidden cases too.")


def test_visible_case_shows_previews_hidden_case_only_status(settings):
    grader, _ = make(settings, with_outputs(lambda out: out + 1.0))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed" and result.score == 0.5
    visible, hidden = result.cases
    assert visible.status == "failed" and "value mismatch" in visible.message
    assert visible.inputs and visible.expected and visible.got and visible.divergence
    assert hidden.model_dump(exclude_none=True) == {
        "name": "hidden-random",
        "hidden": True,
        "status": "failed",
    }


def test_failed_structure_check_fails_a_numerically_correct_answer(settings):
    cumsum = {
        "short": JaxprFacts(
            eqn_count=3, primitives={"cumsum": 1, "jit": 1, "mul": 1}, vmap_calls=0
        ),
        "long": JaxprFacts(eqn_count=3, primitives={"cumsum": 1, "jit": 1, "mul": 1}, vmap_calls=0),
    }
    grader, _ = make(settings, with_outputs(lambda out: out, facts=cumsum))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed"
    assert all(c.status == "passed" for c in result.cases)
    assert "contains no `scan`" in result.summary
    assert result.score == pytest.approx(3 / 4)


def test_unrolled_loop_message(settings):
    unrolled = {
        "short": JaxprFacts(eqn_count=25, primitives={"add": 8}, vmap_calls=0),
        "long": JaxprFacts(eqn_count=49, primitives={"add": 16}, vmap_calls=0),
    }
    grader, _ = make(settings, with_outputs(lambda out: out, facts=unrolled))
    result = grader.grade("running-total", "code", "run")
    [_, nu] = result.checks
    assert nu.message == (
        "your jaxpr has 25 equations at T=8 and 49 at T=16: the loop was unrolled in Python; "
        "use lax.scan"
    )


def test_case_that_raised_is_an_error_case(settings):
    err = RawStudentError(
        type="TypeError",
        message="add got incompatible shapes for broadcasting: (4,), (3,).",
        lineno=5,
    )

    def respond(request):
        outcome = correct(request)
        outcome.cases[0] = CaseOutcome("small", error=err)
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "failed"
    assert result.cases[0].status == "error"
    assert result.cases[0].message.startswith("TypeError on line 5: add got incompatible shapes")
    assert result.error is not None and result.error.line == 5 and result.error.hint


def test_every_case_raising_is_an_error_verdict(settings):
    err = RawStudentError(type="ZeroDivisionError", message="secret hidden value 0.123", lineno=2)

    def respond(request):
        outcome = correct(request)
        outcome.cases = [CaseOutcome(name, error=err) for name, _ in request.all_cases]
        return outcome

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "error" and result.score == 0.5  # the checks still pass
    hidden = result.cases[1]
    assert hidden.message is None  # the student's exception text never shows for hidden cases
    assert "ZeroDivisionError on line 2" in result.summary


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


@pytest.mark.parametrize(
    ("kind", "status", "phrase"),
    [
        ("timeout", "timeout", "ran longer than 20 s"),
        ("memory", "memory", "memory"),
        ("crashed", "error", "stopped without returning a result (killed by signal 11)"),
        ("output_too_large", "error", "returned more than 32 MB"),
    ],
)
def test_run_failures(settings, kind, status, phrase):
    grader, _ = make(settings, lambda r: RunOutcome(kind=kind, detail="killed by signal 11"))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == status and result.score == 0
    assert phrase in result.summary
    if kind == "timeout":
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


def test_platform_faults_raise_and_become_system_errors(settings):
    def broken(request):
        raise SandboxFailure("zygote died")

    grader, _ = make(settings, broken)
    with pytest.raises(SandboxFailure):
        grader.grade("running-total", "code", "run")
    result = grader.grade_or_system_error("running-total", "code", "run")
    assert result.status == "system_error" and "Please submit again" in result.summary

    grader, _ = make(settings, correct, fail=True)
    assert grader.grade_or_system_error("running-total", "code", "run").status == "system_error"


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
    assert doc["schema"] == 1 and doc["status"] == "passed"


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
