"""Tag-aware checks on rendered HTML (escaped text is text, not markup)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script_bodies: list[str] = []
        self._in_script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._in_script = attributes
            self.script_bodies.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None and self._in_script.get("type") != "application/json":
            self.script_bodies[-1] += data


def tags_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_no_inline_js(html: str) -> None:
    """Every script is a same-origin file (or JSON data); no on* handlers, no js: URLs,
    nothing loaded from another host (no CDNs)."""
    parser = _Tags()
    parser.feed(html)
    assert not any(body.strip() for body in parser.script_bodies), "inline script"
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], f"inline handler on <{tag}>"
        for name in ("href", "src", "action"):
            value = attrs.get(name, "").strip().lower()
            assert not value.startswith("javascript:"), f"javascript: URL on <{tag}>"
            assert not value.startswith(("http:", "https:", "//")), f"external {value}"
        if tag == "script" and attrs.get("type") != "application/json":
            assert attrs.get("src", "").startswith("/static/"), attrs
