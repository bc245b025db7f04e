from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from app.api.responses import errors
from app.deps import PUBLIC, SessionDep
from app.schemas import HealthOut

router = APIRouter(tags=["health"], dependencies=[PUBLIC], responses=errors())


@router.get("/health", response_model=HealthOut)
def health(session: SessionDep) -> HealthOut:
    """Liveness and database reachability (503 when the database is down)."""
    session.execute(text("SELECT 1"))
    return HealthOut(status="ok", database="ok")
