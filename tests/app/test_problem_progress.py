"""The problem list's progress summary and filters, and ``next_problem``.

Four problems, in list order: cumulative-sum (easy), running-max (medium), hard-scan (hard),
vmap-easy (easy). The known history of ``learner``: a passing submit on cumulative-sum, a
failing submit on running-max and a passing *run* on hard-scan (runs never count).
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Attempt, Problem, User
from app.services import problems as problem_service
from tests.app.conftest import Users
from tests.app.support import FIXTURE_PROBLEMS

ORDER = ["cumulative-sum", "running-max", "hard-scan", "vmap-easy"]


def _add_problem(root: Path, slug: str, *, title: str, difficulty: str, order: int) -> None:
    folder = root / slug
    shutil.copytree(root / "running-max", folder)
    md = folder / "problem.md"
    text = md.read_text("utf-8")
    text = text.replace("title: Running maximum", f"title: {title}")
    text = text.replace("difficulty: medium", f"difficulty: {difficulty}")
    text = text.replace("order: 2", f"order: {order}")
    md.write_text(text, "utf-8")


@pytest.fixture
def four(app: FastAPI, tmp_path: Path) -> FastAPI:
    """The app with two more problems synced in (a hard one and a second easy one)."""
    root = tmp_path / "problems"
    shutil.copytree(FIXTURE_PROBLEMS, root)
    _add_problem(root, "hard-scan", title="Hard scan", difficulty="hard", order=3)
    _add_problem(root, "vmap-easy", title="Easy vmap", difficulty="easy", order=4)
    with app.state.sessionmaker() as s:
        report = problem_service.sync_problems(session=s, problems_dir=root)
        s.commit()
    assert not report.errors, report.errors
    assert sorted(report.added) == ["hard-scan", "vmap-easy"]
    return app


def _attempt(app: FastAPI, username: str, slug: str, *, mode: str, status: str) -> None:
    with app.state.sessionmaker() as s:
        user = s.scalar(select(User).where(User.username == username))
        problem = s.scalar(select(Problem).where(Problem.slug == slug))
        assert user is not None and problem is not None
        version = problem_service.current_version(session=s, problem=problem)
        s.add(
            Attempt(
                user_id=user.id,
                problem_id=problem.id,
                problem_version_id=version.id,
                code="x = 1",
                mode=mode,
                status=status,
            )
        )
        s.commit()


def _user_id(app: FastAPI, username: str) -> int:
    with app.state.sessionmaker() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
    assert uid is not None
    return uid


@pytest.fixture
def learner(four: FastAPI, users: Users) -> dict[str, str]:
    """Bearer headers of a user with the known history."""
    headers = users.headers("learner")
    _attempt(four, "learner", "cumulative-sum", mode="submit", status="passed")
    _attempt(four, "learner", "cumulative-sum", mode="submit", status="failed")
    _attempt(four, "learner", "running-max", mode="submit", status="failed")
    _attempt(four, "learner", "hard-scan", mode="run", status="passed")
    return headers


class _Page(HTMLParser):
    """What the tests look at: item slugs, aria-current links, the summary's text."""

    def __init__(self) -> None:
        super().__init__()
        self.slugs: list[str] = []
        self.current: list[str] = []
        self.continue_href: str | None = None
        self._current_href: str | None = None
        self._in_current = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-slug" in a:
            self.slugs.append(a["data-slug"])
        if tag == "a" and a.get("aria-current") == "true":
            self._in_current = True
            self._current_href = a.get("href")
        if tag == "a" and "continue-link" in a.get("class", "").split():
            self.continue_href = a.get("href")

    def handle_endtag(self, tag: str) -> None:
        self._in_current = False

    def handle_data(self, data: str) -> None:
        if self._in_current and data.strip():
            self.current.append(data.strip())


def _page(client: TestClient, url: str, headers: dict[str, str] | None = None) -> tuple[str, _Page]:
    r = client.get(url, headers=headers or {})
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    parsed = _Page()
    parsed.feed(r.text)
    return r.text, parsed


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the service ----------------------------------------------------------------------


def test_summary_counts_a_known_history(four: FastAPI, learner: dict[str, str]) -> None:
    uid = _user_id(four, "learner")
    with four.state.sessionmaker() as s:
        items = problem_service.list_problems(session=s, user_id=uid)
        assert [i.problem.slug for i in items] == ORDER
        assert [i.state for i in items] == ["solved", "attempted", "new", "new"]
        summary = problem_service.summarize_progress(items)
    assert (summary.solved, summary.attempted, summary.total) == (1, 1, 4)
    assert [(d.difficulty, d.solved, d.total) for d in summary.by_difficulty] == [
        ("easy", 1, 2),
        ("medium", 0, 1),
        ("hard", 0, 1),
    ]
    assert summary.continue_with is not None
    assert summary.continue_with.slug == "running-max"  # attempted before new
    assert not summary.all_solved


def test_filter_problems_by_state_and_difficulty(four: FastAPI, learner: dict[str, str]) -> None:
    uid = _user_id(four, "learner")
    with four.state.sessionmaker() as s:
        items = problem_service.list_problems(session=s, user_id=uid)

    def slugs(**kw: str | None) -> list[str]:
        return [i.problem.slug for i in problem_service.filter_problems(items, **kw)]

    assert slugs() == ORDER
    assert slugs(state="all", difficulty="all") == ORDER
    assert slugs(state="solved") == ["cumulative-sum"]
    assert slugs(state="attempted") == ["running-max"]
    assert slugs(state="unsolved") == ["running-max", "hard-scan", "vmap-easy"]
    assert slugs(difficulty="easy") == ["cumulative-sum", "vmap-easy"]
    assert slugs(state="unsolved", difficulty="easy") == ["vmap-easy"]
    assert slugs(state="nope", difficulty="EASY") == ORDER


def test_next_problem_order_wraps_and_skips_solved(four: FastAPI, learner: dict[str, str]) -> None:
    uid = _user_id(four, "learner")

    def nxt(after: str, user_id: int | None = uid) -> str | None:
        with four.state.sessionmaker() as s:
            p = problem_service.next_problem(session=s, user_id=user_id, after_slug=after)
            return p.slug if p else None

    assert nxt("cumulative-sum") == "running-max"
    assert nxt("running-max") == "hard-scan"  # a passed run does not solve it
    assert nxt("hard-scan") == "vmap-easy"
    assert nxt("vmap-easy") == "running-max"  # wraps, skipping solved cumulative-sum
    assert nxt("no-such-problem") == "running-max"  # unknown: the first unsolved
    # anonymous: nothing is solved
    assert nxt("vmap-easy", None) == "cumulative-sum"
    assert nxt("cumulative-sum", None) == "running-max"


def test_next_problem_is_none_when_every_other_problem_is_solved(
    four: FastAPI, learner: dict[str, str]
) -> None:
    uid = _user_id(four, "learner")
    for slug in ("running-max", "vmap-easy"):
        _attempt(four, "learner", slug, mode="submit", status="passed")
    with four.state.sessionmaker() as s:
        after = problem_service.next_problem(session=s, user_id=uid, after_slug="cumulative-sum")
        assert after is not None and after.slug == "hard-scan"
        # hard-scan is the only unsolved one: nothing else to go to from it
        assert problem_service.next_problem(session=s, user_id=uid, after_slug="hard-scan") is None
    _attempt(four, "learner", "hard-scan", mode="submit", status="passed")
    with four.state.sessionmaker() as s:
        for slug in [*ORDER, "no-such-problem"]:
            assert problem_service.next_problem(session=s, user_id=uid, after_slug=slug) is None


def test_runs_alone_never_count(four: FastAPI, users: Users) -> None:
    users.create("runner")
    for slug in ORDER:
        _attempt(four, "runner", slug, mode="run", status="passed")
    uid = _user_id(four, "runner")
    with four.state.sessionmaker() as s:
        items = problem_service.list_problems(session=s, user_id=uid)
        assert {i.state for i in items} == {"new"}
        summary = problem_service.summarize_progress(items)
        assert (summary.solved, summary.attempted) == (0, 0)
        assert summary.continue_with is not None
        assert summary.continue_with.slug == "cumulative-sum"  # no attempted: first new
        p = problem_service.next_problem(session=s, user_id=uid, after_slug="cumulative-sum")
        assert p is not None and p.slug == "running-max"


# --- the page -------------------------------------------------------------------------


def test_summary_on_the_page(client: TestClient, learner: dict[str, str]) -> None:
    html, page = _page(client, "/problems", learner)
    text = _squash(html)
    assert page.slugs == ORDER
    assert "1 of 4 solved" in text
    assert re.search(r'<label for="solved-progress"[^>]*>', html)
    assert re.search(r'<progress id="solved-progress" max="4" value="1"', html)
    assert re.search(r'data-difficulty="easy">.*?1 of 2', html, re.S)
    assert re.search(r'data-difficulty="medium">.*?0 of 1', html, re.S)
    assert re.search(r'data-difficulty="hard">.*?0 of 1', html, re.S)
    assert "Continue: Running maximum" in text
    assert page.continue_href == "/problems/running-max"
    # badges stay; the run-only problem has none
    assert re.search(r'data-slug="cumulative-sum".*?badge solved', html, re.S)
    item = html.split('data-slug="running-max"')[1].split("</li>")[0]
    assert "badge attempted" in item
    item = html.split('data-slug="hard-scan"')[1].split("</li>")[0]
    assert "badge solved" not in item and "badge attempted" not in item
    assert page.current == ["All", "All"]  # state and difficulty rows


def test_all_solved_shows_a_congratulation(
    four: FastAPI, client: TestClient, learner: dict[str, str]
) -> None:
    for slug in ORDER[1:]:
        _attempt(four, "learner", slug, mode="submit", status="passed")
    html, page = _page(client, "/problems", learner)
    text = _squash(html)
    assert "4 of 4 solved" in text
    assert "You have solved all 4 problems" in text
    assert page.continue_href is None and "Continue:" not in text


@pytest.mark.parametrize(
    ("query", "expected", "current"),
    [
        ("?state=all", ORDER, ["All", "All"]),
        ("?state=solved", ["cumulative-sum"], ["Solved", "All"]),
        ("?state=attempted", ["running-max"], ["Attempted", "All"]),
        ("?state=unsolved", ["running-max", "hard-scan", "vmap-easy"], ["Unsolved", "All"]),
        ("?difficulty=easy", ["cumulative-sum", "vmap-easy"], ["All", "Easy"]),
        ("?difficulty=medium", ["running-max"], ["All", "Medium"]),
        ("?difficulty=hard", ["hard-scan"], ["All", "Hard"]),
        ("?state=unsolved&difficulty=easy", ["vmap-easy"], ["Unsolved", "Easy"]),
    ],
)
def test_filters_on_the_page(
    client: TestClient, learner: dict[str, str], query: str, expected: list[str], current: list[str]
) -> None:
    html, page = _page(client, "/problems" + query, learner)
    assert page.slugs == expected
    assert page.current == current
    # the summary always covers every problem, whatever the filter
    assert "1 of 4 solved" in _squash(html)


def test_filter_links_keep_the_other_filter(client: TestClient, learner: dict[str, str]) -> None:
    html, _ = _page(client, "/problems?state=unsolved&difficulty=easy", learner)
    assert 'href="/problems?state=solved&amp;difficulty=easy"' in html
    assert 'href="/problems?difficulty=hard"' not in html
    assert 'href="/problems?state=unsolved&amp;difficulty=hard"' in html
    assert 'href="/problems?state=unsolved"' in html  # difficulty: all
    assert 'href="/problems?difficulty=easy"' in html  # state: all


def test_a_filter_that_leaves_nothing(client: TestClient, learner: dict[str, str]) -> None:
    html, page = _page(client, "/problems?state=solved&difficulty=hard", learner)
    assert page.slugs == []
    text = _squash(html)
    assert "No problems match" in text
    assert re.search(r'class="card no-match">.*?<a href="/problems">Clear filters</a>', html, re.S)


@pytest.mark.parametrize(
    "query",
    [
        "?state=bogus",
        "?difficulty=impossible",
        "?state=SOLVED&difficulty=Easy",
        "?state=&difficulty=",
        "?state=%00%ff&difficulty=%3Cscript%3E",
        "?state[]=solved",
        "?state=solved&state=bogus",
        "?difficulty=easy&difficulty=nope",
    ],
)
def test_bad_filter_values_fall_back_to_all(
    client: TestClient, learner: dict[str, str], query: str
) -> None:
    html, page = _page(client, "/problems" + query, learner)
    assert page.slugs == ORDER
    assert page.current == ["All", "All"]
    assert "<script>" not in html.split("<main")[1]


def test_anonymous_gets_no_summary_but_difficulty_filters_work(
    four: FastAPI, client: TestClient
) -> None:
    html, page = _page(client, "/problems")
    assert page.slugs == ORDER
    assert "progress-summary" not in html and "<progress" not in html
    assert "Continue:" not in html and " solved" not in _squash(html).lower()
    assert page.current == ["All"]  # only the difficulty row
    assert "?state=" not in html
    _, page = _page(client, "/problems?difficulty=medium")
    assert page.slugs == ["running-max"]
    assert page.current == ["Medium"]
    _, page = _page(client, "/problems?state=solved")  # meaningless signed out: ignored
    assert page.slugs == ORDER
    _, page = _page(client, "/problems?state=solved&difficulty=easy")
    assert page.slugs == ["cumulative-sum", "vmap-easy"]
    html, page = _page(client, "/problems?difficulty=bogus")
    assert page.slugs == ORDER


def test_fixture_list_without_extra_problems_still_renders(
    client: TestClient, users: Users
) -> None:
    h = users.headers("fresh")
    html, page = _page(client, "/problems", h)
    assert page.slugs == ["cumulative-sum", "running-max"]
    text = _squash(html)
    assert "0 of 2 solved" in text
    assert page.continue_href == "/problems/cumulative-sum"
    assert 'data-difficulty="hard"' not in html  # no hard problems: no empty count
    _, page = _page(client, "/problems?difficulty=hard", h)
    assert page.slugs == []
