"""Stored validation reports: `jaxdojo problems validate` keeps each problem's last report
under ``<data dir>/validation/<slug>.json``, where the instructor pages read it (so this
module imports nothing heavy)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from grader.spec import SLUG_RE


class _Report(Protocol):
    slug: str
    version: str | None
    findings: list[Any]

    @property
    def ok(self) -> bool: ...


def report_path(data_dir: Path, slug: str) -> Path:
    return data_dir / "validation" / f"{slug}.json"


def save_report(data_dir: Path, report: _Report, *, mutation: bool) -> Path:
    path = report_path(data_dir, report.slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "slug": report.slug,
        "version": report.version,
        "ok": report.ok,
        "mutation": mutation,
        "validated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "findings": [{"ok": f.ok, "what": f.what, "detail": f.detail} for f in report.findings],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=1), "utf-8")
    tmp.replace(path)
    return path


def load_report(data_dir: Path, slug: str) -> dict[str, Any] | None:
    """The last stored report of ``slug``, or None (never validated, or unreadable)."""
    if not SLUG_RE.match(slug):
        return None
    try:
        body = json.loads(report_path(data_dir, slug).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) and body.get("slug") == slug else None
