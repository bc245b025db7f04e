"""Problem statements and hints: markdown to safe HTML.

markdown-it-py parses with raw HTML *disabled* (a ``<script>`` in a statement becomes
text), ``dollarmath`` keeps ``$...$`` / ``$$...$$`` as ``<span class="math inline">`` /
``<div class="math block">`` holding the escaped TeX for KaTeX to typeset in the
browser, and fenced code becomes ``<pre><code class="language-x">`` for highlight.js.
The HTML then goes through an nh3 allowlist anyway: the parser's escaping is one layer,
the sanitiser the second, so a future plugin that emits attributes cannot open a hole.

The text is never treated as a template: ``{{ ... }}`` in a statement renders literally.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "ul", "ol", "li", "em", "strong", "del", "s", "code", "pre", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "span", "div", "sup", "sub",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
_LANGUAGES = ("python", "py", "bash", "sh", "shell", "text", "console", "json", "yaml")
# nh3 keeps only these class values (and forbids listing "class" in _ATTRIBUTES too).
_CLASSES = {
    "span": {"math", "inline"},
    "div": {"math", "block"},
    "code": {f"language-{lang}" for lang in _LANGUAGES},
}


def _math(content: str, options: dict[str, object]) -> str:
    # Escaped TeX; KaTeX reads it back with textContent.
    return escapeHtml(content)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, allow_labels=False, double_inline=True, renderer=_math)
    return md


def sanitize_html(html: str) -> str:
    """The allowlist every rendered fragment passes through."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        filter_style_properties={"text-align"},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Render trusted-but-not-too-trusted markdown (statements, hints) to safe HTML."""
    return Markup(sanitize_html(_parser().render(text)))  # noqa: S704 - sanitised above
