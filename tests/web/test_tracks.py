"""Tracks: the list groups problems by track with progress per track; a problem page
links its neighbours and names its prerequisites (advice, never a lock)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import problems as problem_service
from grader.spec import TRACKS
from tests.web.conftest import make_user, sign_in
from tests.web.test_pages import graded_attempt


def test_the_list_groups_by_track_in_curriculum_order(client: TestClient, db: Session) -> None:
    items = problem_service.list_problems(session=db)
    db.rollback()  # end the read: SQLite would keep the web's writes waiting
    response = client.get("/problems")
    html = response.text
    assert response.status_code == 200, html[-3000:]
    shown = re.findall(r'<section class="track" data-track="([a-z-]+)"', html)
    assert shown == [t for t in TRACKS if any(i.problem.track == t for i in items)]
    assert "scan" in shown and "flax-linen" in shown and "flax-nnx" in shown
    # Problems appear in list_problems' order, each inside its own track's section.
    slugs = re.findall(r'<li class="problem-item" data-slug="([a-z0-9-]+)"', html)
    assert slugs == [i.problem.slug for i in items]
    scan = html.split('data-track="scan"')[1].split("</section>")[0]
    assert 'data-slug="cumulative-sum"' in scan and 'data-slug="nnx-scan-rnn"' not in scan
    assert "solved</span>" not in scan  # no progress for visitors


def test_progress_per_track_counts_submits_only(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    graded_attempt(db, "ada", status="passed", result={"status": "passed", "score": 1.0})
    sign_in(client, "ada")
    html = client.get("/problems").text
    total = sum(1 for i in problem_service.list_problems(session=db) if i.problem.track == "scan")
    db.rollback()
    scan = html.split('data-track="scan"')[1].split("</section>")[0]
    assert f"· 1 of {total} solved" in scan
    linen = html.split('data-track="flax-linen"')[1].split("</section>")[0]
    assert "· 0 of" in linen


def test_a_problem_links_its_neighbours_and_prerequisites(client: TestClient, db: Session) -> None:
    items = [i.problem.slug for i in problem_service.list_problems(session=db)]
    db.rollback()
    first, second = items[0], items[1]
    page = client.get(f"/problems/{second}").text
    assert re.search(rf'<a rel="prev" href="/problems/{first}">', page)
    assert re.search(rf'<a rel="next" href="/problems/{items[2]}">', page)
    assert 'rel="prev"' not in client.get(f"/problems/{first}").text
    assert 'rel="next"' not in client.get(f"/problems/{items[-1]}").text
    # flax-scan-rnn names lax-scan-in-module as worth solving first, and stays open.
    page = client.get("/problems/flax-scan-rnn").text
    advice = page.split('class="prerequisites"')[1].split("</p>")[0]
    assert 'href="/problems/lax-scan-in-module"' in advice and "solved" not in advice
    make_user(db, "ada")
    sign_in(client, "ada")
    assert 'id="run-btn"' in client.get("/problems/flax-scan-rnn").text
