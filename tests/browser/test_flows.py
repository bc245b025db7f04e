"""End-to-end flows in a real browser against ``jaxdojo serve`` with the real grader."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import INSTRUCTOR, screenshot, sign_up, solution_code

pytestmark = pytest.mark.browser

PROBLEM = "/problems/cumulative-sum"
GRADE_TIMEOUT_MS = 120_000


def open_problem(page: Any) -> None:
    page.goto(PROBLEM)
    page.wait_for_function("window.jaxdojoEditor !== undefined")
    page.wait_for_selector(".cm-editor")  # CodeMirror replaced the fallback textarea


def grade(page: Any, button: str, code: str) -> str:
    """Put ``code`` in the editor, press Run or Submit, wait for the verdict."""
    page.evaluate("(code) => window.jaxdojoEditor.setValue(code)", code)
    before = (
        page.locator("#results .result").get_attribute("data-attempt-id")
        if page.locator("#results .result").count()
        else None
    )
    page.click(button)
    page.wait_for_function(
        """(before) => {
            const r = document.querySelector('#results .result');
            return r && r.dataset.attemptId !== before
                && !['queued', 'running'].includes(r.dataset.status);
        }""",
        arg=before,
        timeout=GRADE_TIMEOUT_MS,
    )
    return str(page.locator("#results .result").get_attribute("data-status"))


def test_signed_out_visitor_reads_but_cannot_run(page: Any) -> None:
    page.goto("/problems")
    page.click("text=Cumulative sum")
    page.wait_for_selector(".cm-editor")
    assert page.locator("#run-btn").is_disabled()
    assert page.locator("#submit-btn").is_disabled()
    assert page.locator(".statement .katex").count() > 0  # KaTeX typeset the math
    assert page.locator(".statement pre code.hljs").count() > 0  # highlighted code
    page.click("#tab-solution")
    assert page.locator("#panel-solution pre").count() == 0
    assert page.locator("#panel-solution a", has_text="Sign in").count() == 1
    # Wide: the problem and the editor side by side. Narrow: problem, editor, results.
    problem, editor = page.locator("#pane-problem"), page.locator("#editor-shell")
    assert editor.bounding_box()["x"] > problem.bounding_box()["x"] + 300
    page.set_viewport_size({"width": 390, "height": 844})
    results = page.locator("#console")
    assert problem.bounding_box()["y"] < editor.bounding_box()["y"] < results.bounding_box()["y"]
    screenshot(page, "problem-page-narrow")


def test_editor_keyboard_tab_indents_and_draft_survives_reload(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    page.evaluate("window.jaxdojoEditor.setValue('')")
    page.click(".cm-content")
    page.keyboard.type("def f(x):")
    page.keyboard.press("Enter")
    page.keyboard.type("return x")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    value = page.evaluate("window.jaxdojoEditor.getValue()")
    assert value.startswith("def f(x):\n")
    assert "\n        return x" in value or "\n    return x" in value
    page.reload()
    page.wait_for_selector(".cm-editor")
    assert page.evaluate("window.jaxdojoEditor.getValue()") == value


def test_correct_solution_runs_and_submits(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    screenshot(page, "problem-page")
    code = solution_code("cumulative-sum", "correct", "tuple_carry")
    assert grade(page, "#run-btn", code) == "passed"
    assert "3 of 3 passed" in page.locator("#results .cases-title").inner_text()
    assert page.locator("#results li.case .tag", has_text="hidden").count() == 0  # run: visible
    assert grade(page, "#submit-btn", code) == "passed"
    assert page.locator("#results .verdict.passed").is_visible()
    assert page.locator("#results li.case .tag", has_text="hidden").count() > 0
    screenshot(page, "result-passed")
    # Solving unlocks the reference solution; the submission is listed, the run apart.
    page.wait_for_selector("#panel-solution details.solution", state="attached")
    page.click("#tab-submissions")
    submissions = page.locator("#panel-submissions > .scroll-x table.attempts tbody tr")
    assert submissions.count() == 1
    assert page.locator("#panel-submissions details.runs tbody tr").count() == 1
    page.goto("/problems")
    assert page.locator('[data-slug="cumulative-sum"] .badge.solved').is_visible()


def test_exclusive_scan_gets_a_diagnosis(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    code = solution_code("cumulative-sum", "wrong", "exclusive_scan")
    assert grade(page, "#run-btn", code) == "failed"
    failed = page.locator("#results li.case.failed").first
    assert failed.locator(".divergence").inner_text().startswith("first bad step")
    assert page.locator("#run-status").inner_text().startswith("Failed")
    screenshot(page, "result-exclusive-scan")


def test_cumsum_fails_the_structure_check_on_submit(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    code = solution_code("cumulative-sum", "wrong", "uses_cumsum")
    page.evaluate("(code) => window.jaxdojoEditor.setValue(code)", code)
    page.click(".cm-content")
    page.keyboard.press("Control+Shift+Enter")  # submit from the keyboard
    page.wait_for_function(
        "() => { const r = document.querySelector('#results .result');"
        " return r && !['queued','running'].includes(r.dataset.status); }",
        timeout=GRADE_TIMEOUT_MS,
    )
    assert page.locator("#results .result").get_attribute("data-status") == "failed"
    checks = page.locator("#results .checks li.bad")
    assert checks.count() >= 1
    assert "uses lax.scan" in checks.first.inner_text().lower()  # a name, not an id
    assert "uses_scan" not in page.locator("#results").inner_text()
    screenshot(page, "result-cumsum")


def test_hints_reveal_one_at_a_time_without_a_reload(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    page.click("#tab-hints")
    page.evaluate("window.__notReloaded = true")
    assert page.locator(".hint-list li").count() == 0
    label = page.locator("#reveal-hint").inner_text()
    total = int(label.rsplit(" ", 1)[1])
    for n in range(1, total + 1):
        page.click("#reveal-hint")
        page.wait_for_selector(f".hint-list li:nth-child({n})")
        assert page.locator(".hint-list li").count() == n
    assert page.locator("#reveal-hint").count() == 0
    assert page.evaluate("window.__notReloaded") is True  # the same page all along
    assert page.locator("#tab-hints").inner_text().endswith(f"{total}/{total}")
    assert page.locator("#panel-hints").is_visible()


def test_solution_is_gated_until_give_up(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    page.click("#tab-solution")
    assert page.locator("#panel-solution pre").count() == 0
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#give-up")
    assert page.locator("#panel-solution pre").count() == 0  # cancelled: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#give-up")
    page.wait_for_selector("#panel-solution details.solution[open] pre code")
    assert "def cumulative_sum" in page.locator("#panel-solution pre").inner_text()


def test_instructor_sees_class_progress(page: Any, browser: Any, server: Any) -> None:
    page.goto("/login")
    page.fill("#username", INSTRUCTOR[0])
    page.fill("#password", INSTRUCTOR[1])
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/problems")
    page.click("nav >> text=Instructor")
    page.wait_for_selector("h1:has-text('Class progress')")
    assert page.locator("table.data").first.locator("tbody tr").count() >= 1
    screenshot(page, "instructor")


TRACED_INT = """import jax.numpy as jnp
from jax import lax


def cumulative_sum(x):
    def step(carry, x_t):
        n = int(x_t)
        return carry + x_t, carry + n

    _, ys = lax.scan(step, jnp.zeros((), x.dtype), x)
    return ys
"""


def test_error_is_translated_and_its_line_highlighted(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    assert grade(page, "#run-btn", TRACED_INT) == "error"
    box = page.locator("#results .error-box")
    assert "ConcretizationTypeError" in box.inner_text()
    assert box.locator("button.show-line").inner_text() == "line 7"
    highlighted = page.locator(".cm-line.cm-error-line")
    assert highlighted.count() == 1 and "int(x_t)" in highlighted.inner_text()
    screenshot(page, "result-error")


def test_the_verdict_is_pushed_and_polling_is_the_fallback(page: Any) -> None:
    """With EventSource the page waits on /events (no polling); without it, it polls."""
    sign_up(page)
    open_problem(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    code = solution_code("cumulative-sum", "correct", "closure_step")
    assert grade(page, "#run-btn", code) == "passed"
    assert any(url.endswith("/events") for url in requests)
    polls = [u for u in requests if "/api/submissions/" in u and not u.endswith("/events")]
    assert polls == [], polls  # the push delivered it: no poll was needed
    assert "graded in" in page.locator("#run-status").inner_text()

    requests.clear()
    page.add_init_script("window.EventSource = undefined;")  # an old browser or a proxy
    open_problem(page)
    assert grade(page, "#run-btn", code) == "passed"
    assert not any(url.endswith("/events") for url in requests)
    assert any("/api/submissions/" in u and not u.endswith("/events") for u in requests)
