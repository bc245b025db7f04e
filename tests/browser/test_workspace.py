"""The problem page as a workspace: the verdict in view without scrolling, the case list,
Cancel, loading an earlier attempt, the keyboard, and every page at phone width."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_up, solution_code
from tests.browser.test_flows import GRADE_TIMEOUT_MS, PROBLEM, grade, open_problem

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

INFINITE = """import jax.numpy as jnp


def cumulative_sum(x):
    while True:
        pass
"""


def in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    view = page.viewport_size
    return bool(
        box
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= view["height"]
        and box["x"] + box["width"] <= view["width"]
    )


def no_horizontal_overflow(page: Any) -> int:
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def test_after_run_the_verdict_is_in_view_at_1280x800_without_scrolling(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    sign_up(page)
    open_problem(page)
    code = solution_code("cumulative-sum", "wrong", "exclusive_scan")
    page.evaluate("(code) => window.jaxdojoEditor.setValue(code)", code)
    page.click(".cm-content")
    page.keyboard.press("Control+Enter")  # run from the keyboard, no mouse
    page.wait_for_function(
        "() => { const r = document.querySelector('#results .result');"
        " return r && !['queued','running'].includes(r.dataset.status); }",
        timeout=GRADE_TIMEOUT_MS,
    )
    assert page.evaluate("window.scrollY") == 0
    assert in_viewport(page, "#results .verdict")
    assert in_viewport(page, "#results li.case.failed summary")  # the first failing case
    assert page.locator("#results li.case.failed details[open]").count() == 1
    assert in_viewport(page, ".cm-editor")  # editor and feedback together
    screenshot(page, "workspace-1280-failed")


def test_after_submit_the_console_lists_every_case(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    sign_up(page)
    open_problem(page)
    code = solution_code("cumulative-sum", "correct", "tuple_carry")
    assert grade(page, "#submit-btn", code) == "passed"
    cases = page.locator("#results .case-list > li")
    assert cases.count() == 8
    assert cases.first.is_visible()
    assert "8 of 8 cases" in page.locator("#results .verdict .counts").inner_text()
    assert "%" not in page.locator("#results .verdict").inner_text()  # counts, not a grade
    next_link = page.locator("#results a.next-problem")
    assert next_link.count() == 1 and next_link.get_attribute("href").startswith("/problems/")


def test_cancel_ends_an_infinite_loop_in_under_2_seconds(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    page.evaluate("(code) => window.jaxdojoEditor.setValue(code)", INFINITE)
    page.click("#run-btn")
    page.wait_for_function(
        "() => document.querySelector('#run-status').textContent.startsWith('Running')",
        timeout=GRADE_TIMEOUT_MS,
    )
    assert page.locator("#cancel-btn").is_visible()
    started = time.monotonic()
    page.click("#cancel-btn")
    page.wait_for_selector("#results .result[data-status=cancelled]", timeout=10_000)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"cancel took {elapsed:.2f} s"
    assert "does not count" in page.locator("#run-status").inner_text()
    assert page.locator("#cancel-btn").is_hidden()
    # The worker killed the run: the next one is graded at once, not after the 20 s limit.
    started = time.monotonic()
    code = solution_code("cumulative-sum", "correct", "tuple_carry")
    assert grade(page, "#run-btn", code) == "passed"
    assert time.monotonic() - started < 15


def test_an_earlier_attempt_loads_back_into_the_editor(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    first = solution_code("cumulative-sum", "wrong", "exclusive_scan")
    assert grade(page, "#run-btn", first) == "failed"
    page.evaluate("window.jaxdojoEditor.setValue('# something else')")
    page.click("#tab-submissions")
    page.locator("#panel-submissions details.runs summary").click()
    page.once("dialog", lambda dialog: dialog.accept())  # replace the code in the editor?
    page.locator("#panel-submissions a.load-attempt").first.click()
    page.wait_for_function("(c) => window.jaxdojoEditor.getValue() === c", arg=first)
    # From the attempt page, through ?load=: the editor takes it over the saved draft.
    attempt_id = page.locator("#results .result").get_attribute("data-attempt-id")
    page.evaluate("window.jaxdojoEditor.setValue('# a draft')")
    page.goto(f"/attempts/{attempt_id}")
    page.click("#load-into-editor")
    page.wait_for_selector(".cm-editor")
    assert page.evaluate("window.jaxdojoEditor.getValue()") == first
    assert page.evaluate("window.location.search") == ""  # a reload keeps the draft
    assert "Loaded attempt" in page.locator("#run-status").inner_text()


def test_the_keyboard_reaches_editor_and_results(page: Any) -> None:
    sign_up(page)
    open_problem(page)
    page.keyboard.press("Tab")  # skip to content
    page.keyboard.press("Tab")  # skip to the editor
    assert page.evaluate("document.activeElement.textContent") == "Skip to the editor"
    page.keyboard.press("Enter")
    assert page.evaluate("!!document.activeElement.closest('.cm-editor')")
    page.keyboard.press("Alt+Shift+R")
    assert page.evaluate("document.activeElement.id") == "results"
    page.keyboard.press("Alt+Shift+E")
    assert page.evaluate("!!document.activeElement.closest('.cm-editor')")
    # The tabs take the arrow keys.
    page.focus("#tab-description")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-hints"
    assert page.locator("#panel-hints").is_visible()
    assert page.locator("#panel-description").is_hidden()


def test_the_split_handle_resizes_and_is_remembered(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    open_problem(page)
    left = page.locator("#pane-problem").bounding_box()["width"]
    page.focus("#gutter-col")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wider = page.locator("#pane-problem").bounding_box()["width"]
    assert wider > left + 50
    page.reload()
    page.wait_for_selector(".cm-editor")
    assert abs(page.locator("#pane-problem").bounding_box()["width"] - wider) < 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_fits_a_phone_and_a_laptop(browser: Any, server: Any, scheme: str) -> None:
    """No page scrolls sideways at 390x844; screenshots of each at both sizes to look at."""
    context = browser.new_context(viewport=PHONE, base_url=server.url, color_scheme=scheme)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_up(page, prefix=f"phone{scheme}")
        open_problem(page)
        code = solution_code("cumulative-sum", "wrong", "exclusive_scan")
        assert grade(page, "#run-btn", code) == "failed"
        assert in_viewport(page, "#results .verdict")  # the page brought it into view
        assert page.locator(".mobile-jump a[href='#console']").is_visible()
        attempt_id = page.locator("#results .result").get_attribute("data-attempt-id")
        pages = {
            "problems": "/problems",
            "problem": PROBLEM,
            "attempt": f"/attempts/{attempt_id}",
            "account": "/account",
        }
        for size_name, size in (("phone", PHONE), ("laptop", DESKTOP)):
            page.set_viewport_size(size)
            for name, url in pages.items():
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if size_name == "phone":
                    assert no_horizontal_overflow(page) <= 0, f"{url} scrolls sideways"
                    header = page.locator(".site-header").bounding_box()
                    assert header["height"] < 70, f"{url}: the header wrapped"
                screenshot(page, f"{name}-{size_name}-{scheme}")
    finally:
        context.close()
