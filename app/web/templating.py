"""The Jinja2 environment of the pages, and the two ways a page answers: a template or an
error page.

Autoescaping is on for every template; stored content (statements, hints, student code,
stdout) only ever reaches a template as *data*, and markdown only through
:func:`app.markdown.render_markdown`, which sanitises. No template is built from a string.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from app.deps import csrf_token
from app.models import User
from app.web.views import display_time, result_counts

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

_ERROR_TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    422: "That did not work",
    429: "Slow down",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


@jinja2.pass_context
def _path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """Like Starlette's ``url_for`` but a path, so pages work behind any proxy."""
    request: Request = context["request"]
    return str(request.app.url_path_for(name, **params))


_INLINE_CODE = re.compile(r"`([^`\n]{1,400})`")


def inline_code(text: object) -> Markup:
    """Plain text (a grader message, a hint) with its `backticked` spans as ``<code>``.
    The text is escaped first; only the tags added here are markup."""
    escaped = str(escape("" if text is None else text))
    return Markup(_INLINE_CODE.sub(r"<code>\1</code>", escaped))  # noqa: S704 - escaped above


NONE_SHOWN = "\u2013"  # an en dash, for a statistic with nothing to compute it from


def percent(value: float | None) -> str:
    """0.5 -> '50%'; None (nothing to divide by) -> an en dash."""
    return NONE_SHOWN if value is None else f"{round(100 * value)}%"


def amount(value: float | None, digits: int = 1) -> str:
    """A median or other statistic: trailing zeros dropped; None -> an en dash."""
    if value is None:
        return NONE_SHOWN
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
    )
    templates = Jinja2Templates(env=env)
    env.globals["url_for"] = _path_for
    env.filters["inline_code"] = inline_code
    env.filters["when"] = display_time
    env.filters["percent"] = percent
    env.filters["amount"] = amount
    env.globals["result_counts"] = result_counts
    return templates


templates = _make_templates()


def current_user(request: Request) -> User | None:
    auth = getattr(request.state, "auth", None)
    return auth.user if auth is not None else None


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    no_store: bool = False,
) -> HTMLResponse:
    """Render a page with the layout's context (user, CSRF token, nav) filled in."""
    ctx: dict[str, Any] = {
        "user": current_user(request),
        "csrf_token": csrf_token(request),
        "nav": None,
        "flashes": [],
        "next_url": None,
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if no_store or ctx["user"] is not None:
        # Personal pages (progress, tokens, CSRF tokens) must not sit in shared caches.
        response.headers["cache-control"] = "no-store"
    return response


def render_error(request: Request, status_code: int, detail: str) -> Response:
    """The HTML error page (installed by the app for non-API requests that accept HTML)."""
    title = _ERROR_TITLES.get(status_code, "Error")
    message = detail if status_code < 500 else "Something went wrong on our side. Please retry."
    try:
        return render(
            request, "error.html", {"title": title, "message": message}, status_code=status_code
        )
    except Exception:  # the error page itself must not fail: plain escaped HTML instead
        log.exception("error page failed to render")
        body = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        return HTMLResponse(f"{body}<p>{escape(message)}</p>", status_code=status_code)
