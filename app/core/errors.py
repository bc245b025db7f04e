"""One JSON error shape for the whole API, and a generic 500 with no traceback.

Every error body is ``{"detail": "<message a person can read>", "code": "<machine code>"}``,
plus ``"errors": [...]`` (field, message) for 422s. Pages (non-``/api`` paths asked for
HTML) get the frontend's error page when ``app.web`` provides ``render_error``, and a
401 there becomes a redirect to ``/login``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.services.errors import QueueFull, RateLimited, ServiceError

log = logging.getLogger(__name__)

HtmlErrorRenderer = Callable[[Request, int, str], Response]

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class FieldError(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    """The body of every error response."""

    detail: str
    code: str
    errors: list[FieldError] | None = None


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def error_response(
    request: Request,
    status_code: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    renderer: HtmlErrorRenderer | None = getattr(request.app.state, "html_error_renderer", None)
    if _wants_html(request):
        if status_code == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if renderer is not None:
            response = renderer(request, status_code, detail)
            for k, v in (headers or {}).items():
                response.headers[k] = v
            return response
    body: dict[str, Any] = {"detail": detail, "code": code or _CODES.get(status_code, "error")}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status_code, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return error_response(
            request, exc.status_code, detail, headers=dict(exc.headers) if exc.headers else None
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        return error_response(request, 422, f"{first['field']}: {first['message']}", errors=errors)

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> Response:
        headers = None
        if isinstance(exc, RateLimited | QueueFull):
            headers = {"Retry-After": str(exc.retry_after)}
        return error_response(request, exc.status_code, exc.message, code=exc.code, headers=headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: Exception) -> Response:
        if isinstance(exc, DataError):  # input the database cannot store: a missed check
            log.warning("data error on %s %s: %s", request.method, request.url.path, exc)
            return error_response(request, 422, "The request contains invalid characters.")
        lost_connection = isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        )
        if not lost_connection:
            log.exception("database error on %s %s", request.method, request.url.path)
            return error_response(request, 500, "Something went wrong on our side.")
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return error_response(
            request,
            503,
            "The service is temporarily unavailable; please try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "Something went wrong on our side.")
