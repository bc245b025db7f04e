"""The instructor pages render what the class view computes (numbers: tests/app/
test_class_view.py), link students to their page, and hide from students."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.web.conftest import make_user, sign_in
from tests.web.htmlcheck import assert_no_inline_js
from tests.web.test_pages import graded_attempt

FAILED = {
    "schema": 1,
    "status": "failed",
    "score": 0.5,
    "checks": [{"name": "uses_scan", "title": "Uses lax.scan", "passed": False, "ran": True}],
    "cases": [{"name": "long-64", "hidden": True, "status": "failed"}],
}


def test_dashboard_grid_and_student_page(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    make_user(db, "prof", role="instructor")
    graded_attempt(db, "ada", status="failed", result=FAILED)
    graded_attempt(db, "ada", status="passed", result={"schema": 1, "status": "passed", "score": 1})
    sign_in(client, "prof")
    page = client.get("/instructor")
    assert page.status_code == 200
    assert_no_inline_js(page.text)
    assert '<svg class="chart"' in page.text and "1 of 1 solved" in page.text
    assert "check: Uses lax.scan" in page.text and "case: long-64" in page.text
    assert 'href="/instructor/export/grades.csv"' in page.text
    grid = client.get("/instructor/grid")
    assert grid.status_code == 200 and 'href="/instructor/students/ada"' in grid.text
    student = client.get("/instructor/students/ada")
    assert student.status_code == 200 and "<h1>ada</h1>" in student.text
    assert client.get("/instructor/students/nobody").status_code == 404
    grades = client.get("/instructor/export/grades.csv")
    assert grades.status_code == 200 and grades.text.splitlines()[1].startswith(
        "ada,cumulative-sum,1.0000,true,2,"
    )


def test_students_get_404_on_every_instructor_page(client: TestClient, db: Session) -> None:
    make_user(db, "eve")
    sign_in(client, "eve")
    for path in (
        "/instructor",
        "/instructor/grid",
        "/instructor/students/eve",
        "/instructor/export/grades.csv",
        "/instructor/export/attempts.csv",
    ):
        assert client.get(path).status_code == 404, path


def test_regrade_form_queues_and_lists_a_batch(client: TestClient, db: Session) -> None:
    from tests.web.conftest import csrf_from

    make_user(db, "ada")
    make_user(db, "prof", role="instructor")
    passed = {"schema": 1, "status": "passed", "score": 1}
    original = graded_attempt(db, "ada", status="passed", result=passed)
    sign_in(client, "prof")
    page = client.get("/instructor/regrades")
    assert page.status_code == 200 and "No regrades yet." in page.text
    origin = {"origin": "http://testserver"}
    form = {"problem": "cumulative-sum", "scope": "passed", "csrf_token": csrf_from(page.text)}
    r = client.post("/instructor/regrades", data=form, headers=origin, follow_redirects=False)
    assert r.status_code == 303
    listed = client.get("/instructor/regrades").text
    assert "cumulative-sum" in listed and "<td>passed</td>" in listed
    bad = client.post(
        "/instructor/regrades", data={**form, "problem": "no-such-problem"}, headers=origin
    )
    assert bad.status_code == 404 and "No regrades yet." not in bad.text
    attempt_page = client.get(f"/attempts/{original}").text
    assert "Regraded" in attempt_page  # the queued regrade is listed beside the original


def test_the_last_validation_report_opens_from_the_dashboard(
    client: TestClient, db: Session, app: object
) -> None:
    from grader.reports import save_report
    from grader.validate import ProblemReport

    make_user(db, "prof", role="instructor")
    sign_in(client, "prof")
    assert 'href="/instructor/problems/cumulative-sum/validation"' in client.get("/instructor").text
    page = client.get("/instructor/problems/cumulative-sum/validation")
    assert page.status_code == 200 and "has not been validated" in page.text
    settings = app.state.settings  # type: ignore[attr-defined]
    from app.services.problems import get_problem

    current = get_problem(session=db, slug="cumulative-sum").current_hash
    db.rollback()  # end the read: SQLite has one writer
    report = ProblemReport("cumulative-sum", current)
    report.add(True, "mutants", "12 generated, 12 killed, 0 equivalent, 0 surviving")
    report.add(False, "wrong/x.py", "expected failed, got passed")
    save_report(settings.grader.data_dir, report, mutation=True)
    page = client.get("/instructor/problems/cumulative-sum/validation").text
    assert "12 killed" in page and "expected failed, got passed" in page
    assert "current version" in page and "invalid" in page
    assert client.get("/instructor/problems/nope/validation").status_code == 404
