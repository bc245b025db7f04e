"""OpenAPI declarations of the error responses the routes can give."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from app.core.errors import ErrorResponse


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the given status codes, all with the one error body.

    Every route can answer 401 (a bad bearer token is refused even on public routes),
    403 (CSRF check of cookie-authenticated writes), 422 and 503 (database unavailable).
    """
    return {code: {"model": ErrorResponse} for code in sorted({*codes, 401, 403, 422, 503})}


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "RFC 4180 CSV, UTF-8"}
}


def csv_download(text: str, filename: str) -> Response:
    """A CSV file the browser saves as ``filename`` (pages and API alike)."""
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
