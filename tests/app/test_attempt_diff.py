"""The attempt page: the diff against the previous attempt on the same problem, and the
"Load into editor" link (owner only); ``previous_attempt`` itself."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models import Attempt
from app.services import attempts as attempt_service
from app.services import problems as problem_service
from app.services import users as user_service
from app.web.diff import code_diff
from tests.app.conftest import Users

T0 = datetime(2030, 1, 1, 12, 0, 0)
HTML = {"accept": "text/html"}

BEFORE = "def f(x):\n    y = x + 1\n    return y\n"
AFTER = "def f(x):\n    y = x + 2\n    z = y * 2\n    return y\n"


def add_attempt(
    app: FastAPI,
    username: str,
    code: str,
    *,
    problem: str = "cumulative-sum",
    mode: str = "submit",
    status: str = "failed",
    minutes: float = 0,
    when: datetime | None = None,
) -> int:
    """Insert a graded attempt directly (no queue, no rate limits)."""
    with app.state.sessionmaker() as session:
        user = user_service.get_user_by_username(session=session, username=username)
        assert user is not None
        prob = problem_service.get_problem(session=session, slug=problem)
        version = problem_service.current_version(session=session, problem=prob)
        attempt = Attempt(
            user_id=user.id,
            problem_id=prob.id,
            problem_version_id=version.id,
            code=code,
            mode=mode,
            status=status,
            result={"schema": 1, "status": status, "score": 0.0, "summary": "done"},
            score=0.0,
            created_at=when or T0 + timedelta(minutes=minutes),
        )
        session.add(attempt)
        session.commit()
        return attempt.id


def diff_section(html: str) -> str:
    match = re.search(r'<details id="diff".*?</details>', html, re.S)
    assert match, "no diff section"
    return match.group(0)


class _Rows(HTMLParser):
    """The diff table's rows: class, visible text of the code cell and of the marker."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._cell: str | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self.rows.append({"class": a.get("class") or "", "code": "", "mark": ""})
        elif tag == "td" and self.rows:
            cls = a.get("class") or ""
            self._cell = "code" if "diff-code" in cls else "mark" if "diff-mark" in cls else None
        elif tag == "span" and "visually-hidden" in (a.get("class") or ""):
            self._hidden += 1  # screen-reader words ("added"): not the visible text

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell and not self._hidden:
            self.rows[-1][self._cell] += data


def diff_rows(html: str) -> list[dict[str, str]]:
    parser = _Rows()
    parser.feed(diff_section(html))
    return [r for r in parser.rows if r["class"].startswith("diff-")]


def page(client: TestClient, headers: dict[str, str], attempt_id: int) -> str:
    r = client.get(f"/attempts/{attempt_id}", headers={**headers, **HTML})
    assert r.status_code == 200, r.text
    return r.text


def test_diff_shows_added_and_removed_lines(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("ada")
    first = add_attempt(app, "ada", BEFORE, mode="run", status="error", minutes=0)
    second = add_attempt(app, "ada", AFTER, minutes=5)
    html = page(client, h, second)
    section = diff_section(html)
    assert f"Changes since the previous attempt (#{first}, run, error)" in section
    assert f'href="/attempts/{first}"' in section
    rows = diff_rows(html)
    kinds = [r["class"] for r in rows]
    assert kinds[0] == "diff-hunk"
    assert {"class": "diff-del", "code": "    y = x + 1", "mark": "-"} in rows
    assert {"class": "diff-add", "code": "    y = x + 2", "mark": "+"} in rows
    assert {"class": "diff-add", "code": "    z = y * 2", "mark": "+"} in rows
    assert {"class": "diff-ctx", "code": "def f(x):", "mark": ""} in rows
    assert kinds.count("diff-add") == 2 and kinds.count("diff-del") == 1
    assert "@@ -1,3 +1,4 @@" in section
    assert "2 lines added" in section and "1 line removed" in section
    # line numbers: the removed line was line 2 before, the added ones are 2 and 3 after
    assert re.search(
        r'<tr class="diff-del">\s*<td class="diff-ln">2</td>\s*<td class="diff-ln"></td>', section
    )
    assert re.search(
        r'<tr class="diff-add">\s*<td class="diff-ln"></td>\s*<td class="diff-ln">3</td>', section
    )
    assert "No earlier attempt" not in section and "Identical" not in section


def test_first_attempt_has_nothing_to_compare(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    h = users.headers("ada")
    users.create("bob")
    # someone else's earlier attempt, and one of ada's on another problem, do not count
    add_attempt(app, "bob", "x = 0\n", minutes=-10)
    add_attempt(app, "ada", "x = 0\n", problem="running-max", minutes=-5)
    only = add_attempt(app, "ada", BEFORE)
    section = diff_section(page(client, h, only))
    assert "No earlier attempt to compare with." in section
    assert "diff-add" not in section and "diff-del" not in section


def test_identical_code(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("ada")
    add_attempt(app, "ada", BEFORE, mode="run", minutes=0)
    again = add_attempt(app, "ada", BEFORE, minutes=1)
    section = diff_section(page(client, h, again))
    assert "Identical to the previous attempt." in section
    assert "<table" not in section


def test_only_a_final_newline_differs(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("ada")
    add_attempt(app, "ada", "x = 1\n", minutes=0)
    later = add_attempt(app, "ada", "x = 1", minutes=1)
    section = diff_section(page(client, h, later))
    assert "only line endings or the final newline differ" in section
    assert "Identical" not in section


def test_student_html_is_escaped_in_the_diff(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    h = users.headers("ada")
    hostile = "x = '</pre><script>alert(1)</script>'\ny = '<img src=x onerror=alert(2)>'\n"
    add_attempt(app, "ada", "x = 1\n", minutes=0)
    later = add_attempt(app, "ada", hostile, minutes=1)
    html = page(client, h, later)
    section = diff_section(html)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "&lt;img src=x onerror=alert(2)&gt;" in section
    rows = diff_rows(html)
    assert any(r["code"] == "x = '</pre><script>alert(1)</script>'" for r in rows)


def test_other_students_attempt_is_404(client: TestClient, app: FastAPI, users: Users) -> None:
    users.create("ada")
    eve = users.headers("eve")
    add_attempt(app, "ada", BEFORE, minutes=0)
    theirs = add_attempt(app, "ada", AFTER, minutes=1)
    r = client.get(f"/attempts/{theirs}", headers={**eve, **HTML})
    assert r.status_code == 404
    assert "y = x + 2" not in r.text and "Load this code" not in r.text


def test_instructor_sees_the_diff_but_no_load_link(
    client: TestClient, app: FastAPI, users: Users
) -> None:
    ada = users.headers("ada")
    prof = users.headers("prof", role="instructor")
    add_attempt(app, "ada", BEFORE, minutes=0)
    second = add_attempt(app, "ada", AFTER, minutes=1)
    html = page(client, prof, second)
    assert "diff-add" in diff_section(html)
    assert "Load this code into the editor" not in html and "?load=" not in html
    # and the owner does get it
    assert "Load this code into the editor" in page(client, ada, second)


def test_owner_gets_the_load_link(client: TestClient, app: FastAPI, users: Users) -> None:
    h = users.headers("ada")
    attempt_id = add_attempt(app, "ada", BEFORE, problem="running-max")
    html = page(client, h, attempt_id)
    match = re.search(r'<a class="btn" id="load-into-editor"\s+href="([^"]+)">([^<]+)</a>', html)
    assert match, "no load link"
    assert match.group(1) == f"/problems/running-max?load={attempt_id}"
    assert match.group(2) == "Load this code into the editor"


def test_previous_attempt_across_modes_and_problems(app: FastAPI, users: Users) -> None:
    users.create("ada")
    users.create("bob")
    a_run = add_attempt(app, "ada", "1", mode="run", minutes=0)
    add_attempt(app, "ada", "other problem", problem="running-max", minutes=1)
    add_attempt(app, "bob", "other user", minutes=2)
    a_submit = add_attempt(app, "ada", "2", mode="submit", minutes=3)
    add_attempt(app, "ada", "other problem again", problem="running-max", minutes=4)
    a_run2 = add_attempt(app, "ada", "3", mode="run", minutes=5)
    # same created_at: the lower id is the earlier one
    tie_when = T0 + timedelta(minutes=10)
    tie_1 = add_attempt(app, "ada", "4", when=tie_when)
    tie_2 = add_attempt(app, "ada", "5", when=tie_when)
    # inserted later but created earlier (clock order beats id order)
    backdated = add_attempt(app, "ada", "6", minutes=4.5)

    with app.state.sessionmaker() as session:

        def prev(attempt_id: int) -> int | None:
            attempt = session.get(Attempt, attempt_id)
            assert attempt is not None
            found = attempt_service.previous_attempt(session=session, attempt=attempt)
            return found.id if found is not None else None

        assert prev(a_run) is None
        assert prev(a_submit) == a_run
        assert prev(backdated) == a_submit
        assert prev(a_run2) == backdated
        assert prev(tie_1) == a_run2
        assert prev(tie_2) == tie_1


def test_code_diff_line_numbers_and_edge_cases() -> None:
    same = code_diff("a\n", "a\n")
    assert same.identical and not same.hunks
    crlf = code_diff("a\r\nb\r\n", "a\nb\n")
    assert not crlf.identical and crlf.only_line_endings
    grown = code_diff("", "a\nb\n")
    assert grown.added == 2 and grown.removed == 0
    assert [(line.kind, line.new_no) for line in grown.hunks[0].lines] == [("add", 1), ("add", 2)]
    assert grown.hunks[0].description == "Lines none (after line 0) before, 1 to 2 after"
    far = code_diff(
        "\n".join(map(str, range(30))), "\n".join(map(str, range(30))).replace("25", "x")
    )
    (hunk,) = far.hunks
    assert hunk.old_start == 23 and [line.text for line in hunk.lines][:3] == ["22", "23", "24"]
    assert [line.kind for line in hunk.lines] == ["ctx"] * 3 + ["del", "add"] + ["ctx"] * 3
    # a removed line that itself starts with "--" is still a removed line, not a header
    dashes = code_diff("--- x\n", "")
    assert [(line.kind, line.text) for line in dashes.hunks[0].lines] == [("del", "--- x")]
