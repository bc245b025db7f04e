"""Errors a service raises for the caller to show; each carries its HTTP status and code."""

from __future__ import annotations


class ServiceError(Exception):
    """The request cannot be carried out."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str | None = None):
        self.message = message or (self.__doc__ or "").strip()
        super().__init__(self.message)


class NotFound(ServiceError):
    """Not found."""

    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """That conflicts with existing data."""

    status_code = 409
    code = "conflict"


class InvalidInput(ServiceError):
    """The input is not valid."""

    status_code = 422
    code = "invalid"


class Forbidden(ServiceError):
    """You may not do that."""

    status_code = 403
    code = "forbidden"


class RateLimited(ServiceError):
    """Too many requests; try again later."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str | None = None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class QueueFull(ServiceError):
    """The grading queue is full; please try again in a minute."""

    status_code = 503
    code = "queue_full"
    retry_after = 30


class PayloadTooLarge(ServiceError):
    """The request is too large."""

    status_code = 413
    code = "too_large"


MAX_ID = 2**31 - 1  # the largest INTEGER primary key on Postgres


def valid_id(value: int) -> bool:
    """Whether ``value`` could be a row id (out-of-range ids would crash the driver)."""
    return 0 < value <= MAX_ID
