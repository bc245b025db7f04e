"""How a result reads: once per cause, human check names, counts instead of a percent,
inline code as code, checks that could not run said to be so, and the problem page's
workspace (tabs, submissions apart from runs, loading an attempt)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Attempt
from app.web.templating import inline_code
from app.web.views import result_counts
from tests.web.conftest import make_user, sign_in
from tests.web.test_pages import graded_attempt

NOT_RUN = "not checked because your code raised an error before any program was built"


def _case(name: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "hidden": False, "status": status, **extra}


def _check(name: str, title: str, passed: bool, message: str, ran: bool = True) -> dict:
    return {"name": name, "title": title, "passed": passed, "message": message, "ran": ran}


ERROR_RESULT = {
    "schema": 1,
    "status": "error",
    "score": 0.0,
    "summary": "Your code raised an error in every case: ValueError on line 3: boom `x`",
    "cases": [
        _case("a", "error", message="ValueError on line 3: boom `x`"),
        _case("b", "error", message="ValueError on line 3: boom `x`"),
    ],
    "checks": [
        _check("uses_scan", "Uses lax.scan", False, NOT_RUN, ran=False),
        _check("not_unrolled", "Loop not unrolled", False, NOT_RUN, ran=False),
    ],
    "error": {"type": "ValueError", "message": "boom `x`", "line": 3, "hint": None},
    "advice": [],
    "stdout": "",
}

NO_SCAN_RESULT = {
    "schema": 1,
    "status": "failed",
    "score": 0.75,
    "summary": "3 of 3 test cases passed; 1 check failed: your program contains "
    "no loop: compute it with `jax.lax.scan`.",
    "cases": [_case("a", "passed"), _case("b", "passed"), _case("c", "passed")],
    "checks": [
        _check("uses_scan", "Uses lax.scan", False, "your program contains no loop: use `scan`"),
        _check("not_unrolled", "Loop not unrolled", True, "the loop is not unrolled"),
    ],
    "error": None,
    "advice": [],
    "stdout": "",
}


def test_inline_code_escapes_then_marks_code() -> None:
    html = str(inline_code("use `lax.scan` <b>not</b> `a<b` and ` unclosed"))
    assert html == (
        "use <code>lax.scan</code> &lt;b&gt;not&lt;/b&gt; <code>a&lt;b</code> and ` unclosed"
    )
    assert str(inline_code(None)) == ""


def test_counts_say_what_passed_and_skip_checks_that_did_not_run() -> None:
    assert result_counts(NO_SCAN_RESULT) == "3 of 3 cases · 1 of 2 checks"
    assert result_counts(ERROR_RESULT) == "0 of 2 cases · checks not run"
    one = {"cases": [_case("a", "passed")], "checks": [_check("x", "X", True, "ok")]}
    assert result_counts(one) == "1 of 1 case · 1 of 1 check"
    assert result_counts(None) == "" and result_counts({"status": "timeout"}) == ""


def _fragment(client: TestClient, db: Session, status: str, result: dict) -> str:
    attempt_id = graded_attempt(db, "ada", status=status, result=result)
    response = client.get(f"/attempts/{attempt_id}/result")
    assert response.status_code == 200
    return response.text


def test_an_error_is_said_once_and_unrun_checks_are_not_failures(
    client: TestClient, db: Session
) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    html = _fragment(client, db, "error", ERROR_RESULT)
    assert html.count("boom <code>x</code>") == 1  # the error box; cases point at it
    assert html.count("Raised the error shown above.") == 2
    assert "Your code raised an error in every case" not in html  # no repeated summary
    assert "0 of 2 cases · checks not run" in html
    assert 'class="bad"' not in html  # checks that could not run are not failed checks
    assert "Uses lax.scan, Loop not unrolled" in html and "not checked because" in html
    assert "uses_scan" not in html.replace('data-check="uses_scan"', "")
    assert "%" not in html


def test_a_failed_check_reads_by_name_with_its_reason_once(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    html = _fragment(client, db, "failed", NO_SCAN_RESULT)
    assert "Not yet" in html and "3 of 3 cases · 1 of 2 checks" in html
    assert re.search(r"<strong>Uses lax.scan</strong>", html)
    assert html.count("your program contains no loop") == 1  # the check, not the summary too
    assert "<code>scan</code>" in html
    assert "75%" not in html and "%" not in html


def test_a_passed_submission_offers_the_next_problem(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    passed = {
        "schema": 1,
        "status": "passed",
        "score": 1.0,
        "summary": "All 1 test case passed.",
        "cases": [_case("a", "passed")],
        "checks": [],
    }
    html = _fragment(client, db, "passed", passed)
    link = re.search(r'class="btn small primary next-problem" href="(/problems/[^"]+)"', html)
    assert link and link.group(1) != "/problems/cumulative-sum"


def test_a_cancelled_attempt_says_it_does_not_count(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    attempt_id = graded_attempt(db, "ada", status="cancelled", result={})
    db.get(Attempt, attempt_id).result = None  # type: ignore[union-attr]
    db.commit()
    html = client.get(f"/attempts/{attempt_id}/result").text
    assert "Cancelled" in html and "does not count" in html


def test_the_workspace_lists_submissions_apart_from_runs_and_loads_one(
    client: TestClient, db: Session
) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    submit_id = graded_attempt(db, "ada", status="failed", result=NO_SCAN_RESULT)
    run_id = graded_attempt(db, "ada", status="passed", result={"status": "passed"})
    run = db.get(Attempt, run_id)
    assert run is not None
    run.mode = "run"
    run.code = "# the run's code\n"
    db.commit()
    page = client.get("/problems/cumulative-sum").text
    for panel in ("description", "hints", "solution", "submissions"):
        assert f'id="panel-{panel}"' in page and f'id="tab-{panel}"' in page
    submissions = page.split('id="panel-submissions"')[1]
    listed, runs = submissions.split('<details class="runs">')
    assert f'data-attempt-id="{submit_id}"' in listed
    assert f'data-attempt-id="{run_id}"' not in listed
    assert f'data-attempt-id="{run_id}"' in runs and "practice, not counted" in runs
    assert 'id="tab-submissions"' in page and ">1</span>" in page.split('id="tab-submissions"')[1]
    # ?load= puts one's own attempt in the editor (over the draft); others are ignored.
    loaded = client.get(f"/problems/cumulative-sum?load={run_id}").text
    assert "# the run&#39;s code" in loaded or "# the run's code" in loaded
    assert f'"loaded": {run_id}' in loaded
    assert '"loaded": null' in client.get("/problems/cumulative-sum?load=999999").text
    assert '"loaded": null' in client.get("/problems/cumulative-sum?load=x1").text
    make_user(db, "eve")
    client.cookies.clear()
    sign_in(client, "eve")
    assert '"loaded": null' in client.get(f"/problems/cumulative-sum?load={run_id}").text
