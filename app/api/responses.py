"""OpenAPI declarations of the error responses the routes can give."""

from __future__ import annotations

from typing import Any

from app.core.errors import ErrorResponse


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the given status codes, all with the one error body.

    Every route can answer 401 (a bad bearer token is refused even on public routes),
    403 (CSRF check of cookie-authenticated writes), 422 and 503 (database unavailable).
    """
    return {code: {"model": ErrorResponse} for code in sorted({*codes, 401, 403, 422, 503})}
