"""Schemathesis against /openapi.json, in-process: no 500s, and every response matches the
declared status codes, content types and schemas. Bounded examples per operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as st_checks

from app.core.config import Settings
from app.main import create_app
from tests.app.conftest import Users
from tests.app.support import PASSWORD, prepare

MAX_EXAMPLES = 12
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


def _fuzz(operation: Any, auth: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()


@pytest.mark.timeout(600)
def test_openapi_fuzz_finds_no_errors(settings_factory: Callable[..., Settings]) -> None:
    from fastapi.testclient import TestClient

    s = settings_factory(
        submit_rate_limit=100_000,
        login_max_failures=100_000,
        queue_max=100_000,
        registrations_per_ip=100_000,
        event_stream_max_s=0.5,  # no worker runs here: streams end instead of waiting
    )
    prepare(s)
    app = create_app(s)
    client = TestClient(app)
    Users(app, client).create("fuzzer", role="admin")

    def fresh_auth() -> dict[str, str]:
        """A new token per operation: the fuzzer may revoke its own (DELETE tokens/{id})."""
        r = client.post("/api/auth/token", data={"username": "fuzzer", "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        if operation.path == "/api/auth/logout":
            continue  # it would revoke the fuzzer's own token

        try:
            _fuzz(operation, fresh_auth())
        except Exception as exc:  # collect all operations' failures, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    client.close()
    app.state.engine.dispose()
    assert not failures, "\n\n".join(failures)
