"""Reliability tests with real worker processes (``python -m app.cli worker``) against a
fresh migrated database per test, on SQLite and Postgres. The web side runs in-process.

Workers use the fake grader (``tests.reliability.fake_grader``) and short leases
(lease 2 s, heartbeat 0.4 s) so a dead worker's attempt is reclaimed within seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker
from app.models import Attempt, Problem, User
from app.services import attempts as attempt_service
from app.services import users as user_service
from tests.app.support import (
    BACKENDS,
    FIXTURE_PROBLEMS,
    PASSWORD,
    TEST_SECRET,
    fresh_database,
    make_settings,
    prepare,
)

REPO = Path(__file__).resolve().parents[2]
LEASE_S = 2.0
HEARTBEAT_S = 0.4


class Cluster:
    """A database, a fake-grader event log, and the worker processes started on them."""

    def __init__(self, url: str, tmp_path: Path):
        self.url = url
        self.tmp_path = tmp_path
        self.log_path = tmp_path / "grader-events.jsonl"
        self.settings = make_settings(
            url, tmp_path / "data", lease_s=LEASE_S, heartbeat_s=HEARTBEAT_S, poll_s=0.1
        )
        prepare(self.settings)
        self.engine: Engine = make_engine(self.settings)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.procs: list[subprocess.Popen[bytes]] = []
        with self.sessionmaker() as session:
            self.user = user_service.register_user(
                session=session, username="worker-test", password=PASSWORD
            )
            session.commit()

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JAXDOJO_")}
        env.update(
            DATABASE_URL=self.url,
            JAXDOJO_ENV="test",
            JAXDOJO_SECRET_KEY=TEST_SECRET,
            JAXDOJO_DATA_DIR=str(self.tmp_path / "data"),
            JAXDOJO_PROBLEMS_DIR=str(FIXTURE_PROBLEMS),
            JAXDOJO_GRADER_FACTORY="tests.reliability.fake_grader:make",
            JAXDOJO_FAKE_GRADER_LOG=str(self.log_path),
            JAXDOJO_LEASE_S=str(LEASE_S),
            JAXDOJO_HEARTBEAT_S=str(HEARTBEAT_S),
            JAXDOJO_POLL_S="0.1",
            JAXDOJO_PASSWORD_HASH_MEMORY_KIB="1024",  # cheap argon2, as in make_settings
            JAXDOJO_PASSWORD_HASH_TIME_COST="1",
            PYTHONPATH=str(REPO),
        )
        env.update(extra)
        return env

    def start_worker(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        n = len(self.procs)
        out = open(self.tmp_path / f"worker-{n}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", *args],
            cwd=REPO,
            env=self.env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def worker_log(self, proc: subprocess.Popen[bytes]) -> str:
        return (self.tmp_path / f"worker-{self.procs.index(proc)}.log").read_text()

    def submit(self, code: str, mode: str = "submit") -> int:
        with self.sessionmaker() as session:
            user = session.get(User, self.user.id)
            assert user is not None
            attempt = attempt_service.create_submission(
                session=session,
                user=user,
                problem_slug="cumulative-sum",
                code=code,
                mode=mode,
                max_code_bytes=100_000,
                rate_limit=10_000,
                rate_window_s=60,
                queue_max=10_000,
                user_active_max=10_000,  # one test user floods on purpose
            )
            session.commit()
            return attempt.id

    def attempt(self, attempt_id: int) -> Attempt:
        with self.sessionmaker() as session:
            a = session.get(Attempt, attempt_id)
            assert a is not None
            session.expunge(a)
            return a

    def statuses(self) -> dict[int, str]:
        with self.sessionmaker() as session:
            return {i: s for i, s in session.execute(select(Attempt.id, Attempt.status))}

    def events(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        logs = "\n".join(
            f"--- worker {i} ---\n{self.worker_log(p)[-3000:]}" for i, p in enumerate(self.procs)
        )
        raise AssertionError(f"timed out after {timeout}s; statuses={self.statuses()}\n{logs}")

    def wait_graded(self, ids: list[int], timeout: float = 30.0) -> None:
        def done() -> bool:
            s = self.statuses()
            return all(s[i] not in ("queued", "running") for i in ids)

        self.wait_for(done, timeout)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
            proc.wait(10)
        self.engine.dispose()


@pytest.fixture(params=BACKENDS)
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    with fresh_database(str(request.param), tmp_path) as url:
        c = Cluster(url, tmp_path)
        try:
            yield c
        finally:
            c.close()


def problem_id(settings: Settings, engine: Engine) -> int:
    with make_sessionmaker(engine)() as session:
        return session.scalars(select(Problem.id)).first() or 0
