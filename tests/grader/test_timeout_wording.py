"""The timeout message follows where the runner said it was busy, and nothing else does.

The hint comes from the runner (its progress reports), which runs student code: it picks
the wording of the summary and may change neither the status, the score, the cases nor
the checks, and it is ignored wherever the runner did not time out.
"""

from __future__ import annotations

import dataclasses

import pytest

from grader.sandbox.protocol import RunOutcome
from tests.grader.test_grade import correct, make


def timed_out(where: str | None, line: int | None, stage: str = "runner"):
    def respond(request):
        return RunOutcome(
            kind="timeout",
            stage=stage,
            detail="wall-clock limit of 20 s reached",
            hint_where=where,
            hint_line=line,
        )

    return respond


@pytest.mark.parametrize(
    ("where", "line", "phrases", "absent"),
    [
        (
            "student",
            3,
            ["Your own Python code was still running on line 3 after 20 s", "`while` loop"],
            ["tracing", "scan"],
        ),
        ("student", None, ["Your own Python code was still running after 20 s"], ["line"]),
        (
            "tracing",
            6,
            ["JAX was still tracing the operations of your code on line 6", "`jax.lax.scan`"],
            ["never ends"],
        ),
        ("tracing", None, ["still tracing the operations of your code.", "unrolled"], ["line"]),
        ("lowering", None, ["so large that JAX was still converting it", "`jax.lax.scan`"], []),
        (
            "other",
            4,
            ["Building your program took longer than 20 s", "never ends", "use lax.scan"],
            ["line 4"],
        ),
        (None, None, ["Building your program took longer than 20 s", "never ends", "unrolled"], []),
    ],
)
def test_the_wording_follows_the_hint(settings, where, line, phrases, absent):
    grader, _ = make(settings, timed_out(where, line))
    result = grader.grade("running-total", "code", "submit")
    for phrase in phrases:
        assert phrase in result.summary, result.summary
    for phrase in absent:
        assert phrase not in result.summary, result.summary
    assert result.summary.endswith("(wall-clock limit of 20 s reached)")


@pytest.mark.parametrize("mode", ["run", "submit"])
def test_the_hint_changes_only_the_summary(settings, mode):
    neutral, _ = make(settings, timed_out(None, None))
    baseline = neutral.grade("running-total", "code", mode).to_json_dict()
    summaries = set()
    for where, line in [("student", 3), ("tracing", 6), ("lowering", None), ("other", 1)]:
        grader, _ = make(settings, timed_out(where, line))
        result = grader.grade("running-total", "code", mode)
        assert result.status == "timeout" and result.score == 0
        got = result.to_json_dict()
        summaries.add(got.pop("summary"))
        expected = dict(baseline)
        expected.pop("summary")
        for document in (got, expected):  # the reference's time differs between runs
            document.pop("timings", None)
        assert got == expected
    assert len(summaries) == 4  # each place has its own words


def test_a_hint_is_ignored_where_the_runner_did_not_time_out(settings):
    def forged_ok(request):
        return dataclasses.replace(correct(request), hint_where="student", hint_line=3)

    grader, _ = make(settings, forged_ok)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "passed" and result.score == 1
    assert "still running" not in result.summary

    grader, _ = make(settings, timed_out("student", 3, stage="executor"))
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "timeout"
    assert "compiled program ran longer than 20 s" in result.summary
    assert "line 3" not in result.summary


@pytest.mark.parametrize(
    ("sizes", "phrase"),
    [
        ((), "a loop that never ends"),
        ((8_000, 9_000), "a loop that never ends"),  # the same size for every case
        ((20_000, 30_000), "a loop that never ends"),  # small programs, whatever the ratio
        ((16_384, 640_000), "Its size grows with the input (16 KiB for the smallest case, 625 KiB"),
    ],
)
def test_an_executor_timeout_names_an_unrolled_loop_by_its_program_sizes(settings, sizes, phrase):
    """Program sizes depend on shapes only (the runner never sees a value), so they may
    word the timeout even with hidden cases in the run."""

    def respond(request):
        return RunOutcome(kind="timeout", stage="executor", artifact_sizes=sizes)

    grader, _ = make(settings, respond)
    result = grader.grade("running-total", "code", "submit")
    assert result.status == "timeout" and result.score == 0
    assert phrase in result.summary, result.summary
