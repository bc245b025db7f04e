"""The instructor's pages in a real browser: the dashboard with its chart, the student x
problem grid and one student's page, at laptop and phone widths, and a student who
cannot reach any of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import INSTRUCTOR, screenshot, sign_up, solution_code
from tests.browser.test_flows import grade, open_problem
from tests.browser.test_workspace import DESKTOP, PHONE, no_horizontal_overflow


def sign_in_instructor(page: Any) -> None:
    page.goto("/login")
    page.fill("#username", INSTRUCTOR[0])
    page.fill("#password", INSTRUCTOR[1])
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/problems")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dashboard_grid_and_student_page(browser: Any, server: Any, scheme: str) -> None:
    student_ctx = browser.new_context(viewport=DESKTOP, base_url=server.url)
    student_ctx.set_default_timeout(15_000)
    student = student_ctx.new_page()
    try:
        name = sign_up(student, prefix=f"classview{scheme}")
        open_problem(student)
        code = solution_code("cumulative-sum", "correct", "closure_step")
        assert grade(student, "#submit-btn", code) == "passed"
        student.goto("/instructor")
        assert student.locator("h1").inner_text() != "Class progress"  # a 404 page
        assert student.locator("nav >> text=Instructor").count() == 0
    finally:
        student_ctx.close()

    ctx = browser.new_context(viewport=DESKTOP, base_url=server.url, color_scheme=scheme)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    try:
        sign_in_instructor(page)
        page.click("nav >> text=Instructor")
        page.wait_for_selector("h1:has-text('Class progress')")
        assert page.locator("svg.chart rect.chart-bar").count() >= 1
        row = page.locator("table.data tbody tr", has_text="Cumulative sum").first
        assert row.is_visible()
        page.click("a[href='/instructor/grid']")
        page.wait_for_selector("table.class-grid")
        cell_row = page.locator("table.class-grid tbody tr", has_text=name)
        assert cell_row.locator("td.cell.solved").count() == 1
        cell_row.locator(f"a:has-text('{name}')").click()
        page.wait_for_selector(f"h1:has-text('{name}')")
        assert page.locator("table.data .badge.solved").count() == 1
        student_url = page.url
        for size_name, size in (("laptop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            for label, url in (
                ("dashboard", "/instructor"),
                ("grid", "/instructor/grid"),
                ("student", student_url),
            ):
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if size_name == "phone":
                    assert no_horizontal_overflow(page) <= 0, f"{url} scrolls sideways"
                screenshot(page, f"instructor-{label}-{size_name}-{scheme}")
        with page.expect_download() as download:
            page.goto("/instructor")
            page.click("text=Grades (CSV)")
        path = download.value.path()
        assert path is not None
        text = Path(path).read_text(encoding="utf-8")
        assert text.startswith("username,problem,best_score") and f"{name},cumulative-sum" in text
    finally:
        ctx.close()
