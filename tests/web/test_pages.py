"""The pages: rendering, signed-out gating, CSRF on form posts, escaping, no inline JS."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import attempts as attempt_service
from app.services import users as user_service
from tests.web.conftest import PASSWORD, csrf_from, make_user, sign_in
from tests.web.htmlcheck import assert_no_inline_js

ORIGIN = {"origin": "http://testserver"}
SOLUTION_MARKER = "def cumulative_sum"


def graded_attempt(db: Session, username: str, *, status: str, result: dict) -> int:
    user = user_service.get_user_by_username(session=db, username=username)
    assert user is not None
    attempt = attempt_service.create_submission(
        session=db,
        user=user,
        problem_slug="cumulative-sum",
        code="def cumulative_sum(x):\n    return x  # </script><script>alert(1)</script>\n",
        mode="submit",
        max_code_bytes=100_000,
        rate_limit=100,
        rate_window_s=60,
        queue_max=100,
        user_active_max=100,
    )
    attempt.status = status
    attempt.result = result
    attempt.score = result.get("score")
    db.commit()
    return attempt.id


def test_problem_list_and_problem_page_render_for_visitors(client: TestClient) -> None:
    listing = client.get("/problems")
    assert listing.status_code == 200
    assert "Cumulative sum" in listing.text and 'href="/problems/cumulative-sum"' in listing.text
    assert_no_inline_js(listing.text)
    page = client.get("/problems/cumulative-sum")
    assert page.status_code == 200
    assert_no_inline_js(page.text)
    assert 'class="math' in page.text  # KaTeX spans survive
    assert 'id="run-btn" disabled' in page.text and 'id="submit-btn" disabled' in page.text
    assert "Sign in</a> to reveal hints" in page.text
    assert SOLUTION_MARKER not in page.text.split('id="solution"')[1].split("</section>")[0]
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"


def test_unknown_problem_is_an_html_404(client: TestClient) -> None:
    response = client.get("/problems/no-such-problem")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Not found" in response.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/account", "/instructor", "/attempts/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    token = csrf_from(client.get("/problems").text)
    response = client.post(
        "/problems/cumulative-sum/hints",
        data={"csrf_token": token},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_register_sign_in_and_out(client: TestClient, db: Session) -> None:
    token = csrf_from(client.get("/register").text)
    response = client.post(
        "/register",
        data={
            "username": "Grace",
            "password": PASSWORD,
            "password2": PASSWORD,
            "csrf_token": token,
        },
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/problems/cumulative-sum")
    assert "grace" in page.text and 'id="run-btn" disabled' not in page.text
    assert '<meta name="csrf-token"' in page.text
    client.post("/logout", data={"csrf_token": csrf_from(page.text)}, headers=ORIGIN)
    assert "Sign in" in client.get("/problems").text
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_register_errors_are_shown(client: TestClient, db: Session) -> None:
    make_user(db, "taken")
    token = csrf_from(client.get("/register").text)
    response = client.post(
        "/register",
        data={
            "username": "taken",
            "password": PASSWORD,
            "password2": PASSWORD,
            "csrf_token": token,
        },
        headers=ORIGIN,
    )
    assert response.status_code == 409 and "taken" in response.text
    response = client.post(
        "/register",
        data={"username": "other", "password": PASSWORD, "password2": "nope", "csrf_token": token},
        headers=ORIGIN,
    )
    assert response.status_code == 400 and "differ" in response.text


def test_bad_password_gives_one_message(client: TestClient, db: Session) -> None:
    make_user(db, "alan")
    token = csrf_from(client.get("/login").text)
    for name in ("alan", "nobody"):
        response = client.post(
            "/login",
            data={"username": name, "password": "wrong password", "csrf_token": token},
            headers=ORIGIN,
        )
        assert response.status_code == 400
        assert "Incorrect username or password." in response.text


def test_form_posts_need_the_csrf_token(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    no_token = client.post("/login", data={"username": "ada", "password": PASSWORD}, headers=ORIGIN)
    assert no_token.status_code == 403
    sign_in(client, "ada")
    for path in ("/problems/cumulative-sum/hints", "/problems/cumulative-sum/give-up"):
        assert client.post(path, data={}, headers=ORIGIN).status_code == 403, path
        assert client.post(path, data={"csrf_token": "forged"}, headers=ORIGIN).status_code == 403
    token = csrf_from(client.get("/problems/cumulative-sum").text)
    cross_site = client.post(
        "/problems/cumulative-sum/hints",
        data={"csrf_token": token},
        headers={"origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    # Nothing was recorded by the refused posts.
    assert "Reveal hint 1 of" in client.get("/problems/cumulative-sum").text


def test_hints_reveal_one_at_a_time(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    page = client.get("/problems/cumulative-sum").text
    total = int(re.search(r"Reveal hint 1 of (\d+)", page).group(1))  # type: ignore[union-attr]
    for n in range(1, total + 1):
        response = client.post(
            "/problems/cumulative-sum/hints",
            data={"csrf_token": csrf_from(page)},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert response.status_code == 303
        page = client.get("/problems/cumulative-sum").text
        assert page.count('class="hint-label"') == n
    assert f"All {total} hints revealed" in page


def test_solution_is_gated_until_give_up(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    page = client.get("/problems/cumulative-sum").text
    section = page.split('id="solution"')[1].split("</section>")[0]
    assert SOLUTION_MARKER not in section and "data-confirm=" in section
    response = client.post(
        "/problems/cumulative-sum/give-up",
        data={"csrf_token": csrf_from(page)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    section = page.split('id="solution"')[1].split("</section>")[0]
    assert SOLUTION_MARKER in section and "lax.scan" in section


def test_solution_unlocks_when_solved(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    graded_attempt(
        db, "ada", status="passed", result={"schema": 1, "status": "passed", "score": 1.0}
    )
    sign_in(client, "ada")
    page = client.get("/problems/cumulative-sum").text
    assert SOLUTION_MARKER in page.split('id="solution"')[1].split("</section>")[0]
    assert "Solved" in client.get("/problems").text


HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>{{ 7*7 }}"


def hostile_result() -> dict:
    return {
        "schema": 1,
        "status": "error",
        "score": 0.0,
        "summary": HOSTILE,
        "cases": [
            {
                "name": HOSTILE,
                "hidden": False,
                "status": "failed",
                "message": HOSTILE,
                "inputs": HOSTILE,
                "expected": "[1. 3. 6.]",
                "got": HOSTILE,
                "divergence": {"leaf": HOSTILE, "max_abs_error": 1.5, "first_bad_step": 2},
            },
            {"name": "hidden-1", "hidden": True, "status": "passed"},
        ],
        "checks": [{"name": "uses scan", "passed": False, "message": HOSTILE}],
        "advice": [HOSTILE],
        "error": {"type": "TypeError", "message": HOSTILE, "line": 7, "hint": HOSTILE},
        "stdout": HOSTILE + "\n</pre><script>alert(2)</script>",
    }


def test_results_escape_everything_the_student_controls(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    attempt_id = graded_attempt(db, "ada", status="error", result=hostile_result())
    sign_in(client, "ada")
    for path in (f"/attempts/{attempt_id}", f"/attempts/{attempt_id}/result"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html
        assert "{{ 7*7 }}" in html and ">49<" not in html
        assert 'data-error-line="7"' in html and "first bad step" in html
        assert_no_inline_js(html)
    fragment = client.get(f"/attempts/{attempt_id}/result").text
    assert "<html" not in fragment and "Hidden case" in fragment
    assert '<ul class="advice">' in fragment  # advice is shown, escaped like the rest


def test_attempts_are_private_but_instructors_see_them(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    make_user(db, "eve")
    make_user(db, "prof", role="instructor")
    attempt_id = graded_attempt(
        db, "ada", status="failed", result={"schema": 1, "status": "failed", "score": 0.5}
    )
    sign_in(client, "eve")
    assert client.get(f"/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/attempts/{attempt_id}/result").status_code == 404
    assert client.get("/instructor").status_code == 404
    client.cookies.clear()
    sign_in(client, "prof")
    assert client.get(f"/attempts/{attempt_id}").status_code == 200
    dashboard = client.get("/instructor")
    assert dashboard.status_code == 200
    assert "Cumulative sum" in dashboard.text and "ada" in dashboard.text
    assert f'href="/attempts/{attempt_id}"' in dashboard.text
    assert 'href="/instructor"' in client.get("/problems").text


def test_history_links_to_attempts_and_editor_starts_from_last_code(
    client: TestClient, db: Session
) -> None:
    make_user(db, "ada")
    attempt_id = graded_attempt(
        db, "ada", status="failed", result={"schema": 1, "status": "failed", "score": 0.5}
    )
    sign_in(client, "ada")
    page = client.get("/problems/cumulative-sum").text
    assert f'href="/attempts/{attempt_id}"' in page
    data = re.search(
        r'<script type="application/json" id="problem-data">(.*?)</script>', page, re.S
    )
    assert data is not None
    assert "</script>" not in data.group(1)  # tojson escapes '<'
    assert "return x  #" in data.group(1).replace("\\u003c", "<")


def test_api_tokens_are_shown_once_and_revocable(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    sign_in(client, "ada")
    page = client.get("/account").text
    created = client.post(
        "/account/tokens", data={"name": "laptop", "csrf_token": csrf_from(page)}, headers=ORIGIN
    )
    assert created.status_code == 200
    token = re.search(r'id="new-token">(jxd_[^<]+)<', created.text)
    assert token is not None
    assert created.headers["cache-control"] == "no-store"
    again = client.get("/account").text
    assert token.group(1) not in again and "<td>laptop</td>" in again
    api = client.get("/api/submissions", headers={"authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 200
    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', again).group(1)  # type: ignore[union-attr]
    revoked = client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_from(again)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert revoked.status_code == 303, revoked.text
    assert "<td>laptop</td>" not in client.get("/account").text
    api = client.get("/api/submissions", headers={"authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 401


def test_sign_in_returns_to_the_page_but_never_off_site(client: TestClient, db: Session) -> None:
    make_user(db, "ada")
    page = client.get("/login?next=/problems/cumulative-sum").text
    assert 'name="next" value="/problems/cumulative-sum"' in page
    for target, expected in (
        ("/problems/cumulative-sum", "/problems/cumulative-sum"),
        ("//evil.example/x", "/problems"),
        ("https://evil.example", "/problems"),
        ("/\\evil.example", "/problems"),
    ):
        client.cookies.clear()
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": "ada", "password": PASSWORD, "csrf_token": token, "next": target},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == expected, target


def test_unknown_path_gets_the_html_error_page(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.text and "Back to the problems" in response.text


def test_head_of_the_home_page_answers_for_health_checks(client: TestClient) -> None:
    response = client.head("/")
    assert response.status_code == 200 and response.content == b""
    assert client.get("/", follow_redirects=False).status_code == 303
