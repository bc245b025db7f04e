"""The session and CSRF cookies.

Over HTTPS the cookies are ``Secure`` and carry the ``__Host-`` prefix (no Domain, Path=/,
so a sibling subdomain cannot plant one); over plain HTTP (local development) they carry
neither, or browsers would drop them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "jaxdojo_session"
CSRF_COOKIE = "jaxdojo_csrf"


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request, base: str) -> str:
    return f"__Host-{base}" if is_https(request) else base


def read_cookie(request: Request, base: str) -> str | None:
    return request.cookies.get(f"__Host-{base}") or (
        None if is_https(request) else request.cookies.get(base)
    )


def set_cookie(request: Request, response: Response, base: str, value: str, max_age: int) -> None:
    response.set_cookie(
        cookie_name(request, base),
        value,
        max_age=max_age,
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def clear_cookie(request: Request, response: Response, base: str) -> None:
    response.delete_cookie(
        cookie_name(request, base),
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    set_cookie(request, response, SESSION_COOKIE, token, max_age)


def clear_session_cookie(request: Request, response: Response) -> None:
    clear_cookie(request, response, SESSION_COOKIE)
