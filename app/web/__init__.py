"""The server-rendered pages. ``app.main`` includes :data:`router` and installs
:func:`render_error` for HTML error pages."""

from __future__ import annotations

from fastapi import APIRouter

from app.web import account, admin, attempts, auth, instructor, problems
from app.web.templating import render_error

router = APIRouter(include_in_schema=False)
router.include_router(problems.router)
router.include_router(attempts.router)
router.include_router(auth.router)
router.include_router(account.router)
router.include_router(instructor.router)
router.include_router(admin.router)

__all__ = ["render_error", "router"]
