"""The vendored front-end build is present and self-contained (no npm, no CDN needed)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def test_vendored_bundles_exist_and_are_minified() -> None:
    for name in ("editor.js", "render.js"):
        path = STATIC / "vendor" / name
        assert path.is_file(), f"{path} missing: cd frontend && npm ci && npm run build"
        text = path.read_text("utf-8")
        assert len(text) < 700_000, f"{name} is {len(text)} bytes"
        assert len(text) / (text.count("\n") + 1) > 500, f"{name} does not look minified"
    assert "JaxdojoEditor" in (STATIC / "vendor" / "editor.js").read_text("utf-8")
    assert "JaxdojoRender" in (STATIC / "vendor" / "render.js").read_text("utf-8")


def test_katex_fonts_referenced_by_the_stylesheet_are_vendored() -> None:
    css = (STATIC / "vendor" / "katex" / "katex.min.css").read_text("utf-8")
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert len(fonts) > 10
    for font in fonts:
        assert (STATIC / "vendor" / "katex" / font).is_file(), font


def test_templates_load_nothing_from_other_hosts() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text("utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "<script>" not in text and not re.search(r"<script(?![^>]*\b(src|type)=)", text), (
            f"inline script in {path}"
        )
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path}"


def test_templates_use_no_inline_styles() -> None:
    # Keeps the door open for a CSP without style-src 'unsafe-inline'.
    for path in TEMPLATES.rglob("*.html"):
        assert ' style="' not in path.read_text("utf-8"), path
