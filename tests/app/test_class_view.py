"""The instructor's class view on a seeded database whose numbers are known in advance:
per-problem statistics, the student x problem grid, one student's page, and the CSV
exports byte for byte (SQLite and Postgres).

The history (minutes after T0), fixture problems cumulative-sum (P1) and running-max (P2):

- alice: P1 failed at 0 (a failing check and case), passed at 10; P2 error at 5.
- bob:   P1 failed at 0 and 2 (case `long`), a *run* at 1 (never counted), passed at 30,
         failed at 40 (case `short`; his best stays the pass at 30).
- carol: no submits; revealed two hints of P1 and gave up on it.
- prof (instructor): passed P1 at 3 (instructors' attempts are not the class's).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Attempt, HintReveal, Problem, SolutionReveal, User
from app.services import instructor
from app.services.problems import current_version
from tests.app.conftest import Users

T0 = datetime(2026, 11, 2, 9, 0, 0)


def _result(status: str, *, checks=(), cases=(), error: str | None = None) -> dict[str, Any]:
    return {
        "schema": 1,
        "status": status,
        "checks": [{"name": c, "title": c.title(), "passed": False, "ran": True} for c in checks],
        "cases": [{"name": c, "hidden": True, "status": "failed"} for c in cases],
        "error": {"type": error, "message": "boom"} if error else None,
    }


HISTORY = [
    # user, problem, minute, mode, status, score, result
    ("alice", "cumulative-sum", 0, "submit", "failed", 0.5,
     _result("failed", checks=["uses lax.scan"], cases=["long"])),
    ("alice", "cumulative-sum", 10, "submit", "passed", 1.0, _result("passed")),
    ("alice", "running-max", 5, "submit", "error", 0.0, _result("error", error="TypeError")),
    ("bob", "cumulative-sum", 0, "submit", "failed", 0.25, _result("failed", cases=["long"])),
    ("bob", "cumulative-sum", 1, "run", "failed", 0.0, _result("failed", cases=["tiny"])),
    ("bob", "cumulative-sum", 2, "submit", "failed", 0.5, _result("failed", cases=["long"])),
    ("bob", "cumulative-sum", 30, "submit", "passed", 1.0, _result("passed")),
    ("bob", "cumulative-sum", 40, "submit", "failed", 0.75, _result("failed", cases=["short"])),
    ("prof", "cumulative-sum", 3, "submit", "passed", 1.0, _result("passed")),
]  # fmt: skip


@pytest.fixture
def seeded(app: FastAPI, users: Users) -> dict[str, dict[str, str]]:
    headers = {
        "prof": users.headers("prof", role="instructor"),
        "alice": users.headers("alice"),
    }
    users.create("bob")
    users.create("carol")
    with app.state.sessionmaker() as s:
        ids = {u.username: u.id for u in s.scalars(select(User))}
        problems = {p.slug: p for p in s.scalars(select(Problem))}
        for name, slug, minute, mode, status, score, result in HISTORY:
            problem = problems[slug]
            at = T0 + timedelta(minutes=minute)
            s.add(
                Attempt(
                    user_id=ids[name],
                    problem_id=problem.id,
                    problem_version_id=current_version(session=s, problem=problem).id,
                    code="x = 1",
                    mode=mode,
                    status=status,
                    score=score,
                    result=result,
                    created_at=at,
                    finished_at=at + timedelta(seconds=2),
                )
            )
        p1 = problems["cumulative-sum"].id
        s.add_all(
            [
                HintReveal(user_id=ids["carol"], problem_id=p1, hint_index=0),
                HintReveal(user_id=ids["carol"], problem_id=p1, hint_index=1),
                SolutionReveal(user_id=ids["carol"], problem_id=p1, reason="gave_up", gave_up=True),
            ]
        )
        s.commit()
    return headers


def test_per_problem_statistics(app: FastAPI, seeded: Any) -> None:
    with app.state.sessionmaker() as s:
        stats = {st.problem.slug: st for st in instructor.problem_stats(session=s)}
    p1, p2 = stats["cumulative-sum"], stats["running-max"]
    assert (p1.submissions, p1.students, p1.solved, p1.solve_rate) == (6, 2, 2, 1.0)
    assert p1.median_attempts == 2.5  # alice solved on her 2nd submit, bob on his 3rd
    assert p1.median_minutes == 20.0  # 10 and 30 minutes after their first submits
    assert (p1.hints, p1.hint_students, p1.gave_up) == (2, 1, 1)
    assert p1.reasons == [("case: long", 3), ("case: short", 1), ("check: Uses Lax.Scan", 1)]
    assert (p2.submissions, p2.students, p2.solved, p2.solve_rate) == (1, 1, 0, 0.0)
    assert p2.median_attempts is None and p2.median_minutes is None
    assert p2.reasons == [("error: TypeError", 1)]


def test_the_api_gives_the_same_numbers(client: TestClient, seeded: Any) -> None:
    stats = client.get("/api/instructor/stats", headers=seeded["prof"]).json()
    first = next(s for s in stats if s["problem"] == "cumulative-sum")
    assert first["attempted"] == 2 and first["solved"] == 2 and first["submissions"] == 6
    assert first["median_attempts"] == 2.5 and first["median_minutes"] == 20.0
    assert first["failure_reasons"][0] == ["case: long", 3]
    progress = client.get("/api/instructor/progress", headers=seeded["prof"]).json()
    assert {p["problem"]: p["attempted"] for p in progress} == {
        "cumulative-sum": 2,
        "running-max": 1,
    }
    grid = client.get("/api/instructor/grid", headers=seeded["prof"]).json()
    assert [g["username"] for g in grid] == ["alice", "bob", "carol"]  # students only
    alice, bob, carol = grid
    assert alice["solved"] == 1 and [c["problem"] for c in alice["cells"]] == [
        "cumulative-sum",
        "running-max",
    ]
    assert alice["cells"][1] == {
        "problem": "running-max",
        "state": "attempted",
        "submits": 1,
        "best_score": 0.0,
        "last_status": "error",
    }
    assert bob["cells"] == [
        {
            "problem": "cumulative-sum",
            "state": "solved",
            "submits": 4,
            "best_score": 1.0,
            "last_status": "failed",
        }
    ]
    assert carol == {"username": "carol", "solved": 0, "cells": []}


GRADES_CSV = (
    "username,problem,best_score,solved,submits,first_submit_at,best_at,solved_at,last_submit_at\r\n"
    "alice,cumulative-sum,1.0000,true,2,2026-11-02T09:00:00Z,2026-11-02T09:10:00Z,"
    "2026-11-02T09:10:00Z,2026-11-02T09:10:00Z\r\n"
    "alice,running-max,0.0000,false,1,2026-11-02T09:05:00Z,2026-11-02T09:05:00Z,,"
    "2026-11-02T09:05:00Z\r\n"
    "bob,cumulative-sum,1.0000,true,4,2026-11-02T09:00:00Z,2026-11-02T09:30:00Z,"
    "2026-11-02T09:30:00Z,2026-11-02T09:40:00Z\r\n"
)


def test_grades_csv_byte_for_byte(client: TestClient, seeded: Any) -> None:
    r = client.get("/api/instructor/export/grades.csv", headers=seeded["prof"])
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="grades.csv"'
    assert r.content == GRADES_CSV.encode()


def test_attempts_csv_lists_every_attempt(app: FastAPI, client: TestClient, seeded: Any) -> None:
    text = client.get("/api/instructor/export/attempts.csv", headers=seeded["prof"]).text
    lines = text.split("\r\n")
    assert lines[0] == (
        "id,username,problem,problem_version,mode,status,score,created_at,finished_at,regrade_of"
    )
    assert lines[-1] == "" and len(lines) == 2 + len(HISTORY)
    with app.state.sessionmaker() as s:
        first = s.scalars(select(Attempt).order_by(Attempt.id)).first()
        assert first is not None
        version = first.problem_version.content_hash
    assert lines[1] == (
        f"{first.id},alice,cumulative-sum,{version},submit,failed,0.5000,"
        "2026-11-02T09:00:00Z,2026-11-02T09:00:02Z,"
    )


def test_csv_cells_that_look_like_formulas_are_quoted() -> None:
    text = instructor.to_csv([{"a": "=HYPERLINK()", "b": "-1"}], ["a", "b"])
    assert text == "a,b\r\n'=HYPERLINK(),'-1\r\n"


def test_student_report(app: FastAPI, seeded: Any) -> None:
    with app.state.sessionmaker() as s:
        report = instructor.student_report(session=s, username="bob")
        rows = {r.problem.slug: r for r in report.rows}
        assert (report.solved, report.attempted) == (1, 1)
        assert rows["cumulative-sum"].cell.submits == 4
        assert rows["cumulative-sum"].solved_at == T0 + timedelta(minutes=30)
        assert rows["running-max"].cell.state == ""
        assert len(report.recent) == 5  # the run is listed among his attempts
        carol = instructor.student_report(session=s, username="carol")
        assert {r.problem.slug: (r.hints, r.gave_up) for r in carol.rows}["cumulative-sum"] == (
            2,
            True,
        )


def test_students_get_404_on_every_instructor_route(client: TestClient, seeded: Any) -> None:
    for path in (
        "/api/instructor/stats",
        "/api/instructor/grid",
        "/api/instructor/progress",
        "/api/instructor/export/grades.csv",
        "/api/instructor/export/attempts.csv",
    ):
        assert client.get(path, headers=seeded["alice"]).status_code == 404, path
        assert client.get(path).status_code == 401, path
