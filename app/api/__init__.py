"""The JSON API under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import account, admin, auth, health, instructor, problems, submissions

api_router = APIRouter(prefix="/api")
for module in (health, auth, account, problems, submissions, instructor, admin):
    api_router.include_router(module.router)
