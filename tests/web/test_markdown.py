"""Statements and hints: markdown through an allowlist (T26, T30 in security-anchors)."""

from __future__ import annotations

import pytest

from app.markdown import render_markdown, sanitize_html
from tests.web.htmlcheck import tags_of

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    '<div onclick="alert(1)">\nraw html block\n</div>\n',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '```python" onmouseover="alert(1)\nx = 1\n```',
    "[x](<javascript:alert(1)>)",
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_payloads_are_inert(payload: str) -> None:
    html = str(render_markdown(payload))
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "iframe", "svg", "style", "object", "embed"}, html
        assert not any(name.startswith("on") for name in attrs), html
        for name in ("href", "src"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), html
    assert "<script" not in html.lower()


def test_raw_html_is_shown_as_text_not_passed_through() -> None:
    html = str(render_markdown("<b>bold</b> and <div>block</div>"))
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_template_syntax_renders_literally() -> None:
    html = str(render_markdown("`{{ ''.__class__.__mro__ }}` and {% for x in () %}x{% endfor %}"))
    assert "{{ &#x27;&#x27;.__class__.__mro__ }}" in html or "{{ ''.__class__.__mro__ }}" in html
    assert "{% for x in () %}" in html
    assert "<class" not in html


def test_math_survives_for_katex() -> None:
    html = str(render_markdown("Inline $a_t < b$ and\n\n$$\n\\sum_t x_t\n$$\n"))
    assert '<span class="math inline">a_t &lt; b</span>' in html
    assert '<div class="math block">' in html and "\\sum_t x_t" in html


def test_code_blocks_tables_and_links() -> None:
    html = str(
        render_markdown(
            "```python\ndef f(x):\n    return x\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n[docs](https://jax.readthedocs.io)"
        )
    )
    assert '<pre><code class="language-python">def f(x):' in html
    assert "<table>" in html and '<td style="text-align:right">2</td>' in html
    assert (
        'href="https://jax.readthedocs.io"' in html and 'rel="noopener noreferrer nofollow"' in html
    )


def test_unknown_classes_are_dropped() -> None:
    html = str(render_markdown("```evil-class\nx\n```"))
    assert "evil-class" not in html


def test_sanitizer_is_a_second_layer_on_raw_html() -> None:
    # If a future parser option let raw HTML through, nh3 still strips the dangerous parts.
    html = sanitize_html(
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">y</a>'
        "<script>alert(1)</script><svg onload=alert(1)></svg><p onclick=x>ok</p>"
    )
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "svg"}
        assert not any(name.startswith("on") for name in attrs)
        assert "javascript:" not in attrs.get("href", "")
    assert "alert(1)</script>" not in html and "ok" in html
