"""``jaxdojo serve`` as a real process: migrates, syncs, serves the API, and its child
worker grades a submission; SIGTERM stops both (no process left behind)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.reliability.conftest import REPO, Cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def test_serve_runs_web_and_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    cluster = Cluster.__new__(Cluster)  # only for its environment builder
    cluster.url, cluster.tmp_path = url, tmp_path
    cluster.log_path = tmp_path / "grader-events.jsonl"
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=cluster.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    worker_pids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        worker_pids = _children(proc.pid)
        assert worker_pids, "serve started no worker"
        with httpx.Client(base_url=base, timeout=5) as c:
            assert [p["slug"] for p in c.get("/api/problems").json()][:1] == ["cumulative-sum"]
            pw = "correct horse battery"
            assert (
                c.post("/api/auth/register", json={"username": "srv", "password": pw}).status_code
                == 201
            )
            tok = c.post("/api/auth/token", data={"username": "srv", "password": pw}).json()
            h = {"Authorization": f"Bearer {tok['access_token']}"}
            r = c.post(
                "/api/submissions", json={"problem": "cumulative-sum", "code": "# ok\n"}, headers=h
            )
            assert r.status_code == 202
            sid = r.json()["id"]
            deadline = time.monotonic() + 30
            while (status := c.get(f"/api/submissions/{sid}", headers=h).json()["status"]) in (
                "queued",
                "running",
            ):
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
            assert status == "passed"
            assert r.headers["x-content-type-options"] == "nosniff"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(40)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text()[-3000:]
    time.sleep(0.5)
    assert not [p for p in worker_pids if _alive(p)], "the worker outlived serve"


def test_cli_db_upgrade_sync_and_users(tmp_path: Path) -> None:
    cluster = Cluster.__new__(Cluster)
    cluster.url, cluster.tmp_path = f"sqlite:///{tmp_path / 'cli.sqlite3'}", tmp_path
    cluster.log_path = tmp_path / "events.jsonl"
    env = cluster.env()

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=REPO,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert cli("db", "upgrade").returncode == 0
    assert cli("sync").returncode == 0
    r = cli("users", "create-admin", "root1", "--password-stdin", stdin="a long admin pass\n")
    assert r.returncode == 0 and "admin" in r.stdout, r.stderr
    r = cli("users", "create", "root1", "--password-stdin", stdin="a long admin pass\n")
    assert r.returncode == 1 and "taken" in r.stderr
    r = cli("users", "create", "kid1", "--password-stdin", stdin="another long pass\n")
    assert r.returncode == 0
    r = cli("users", "set-role", "kid1", "instructor")
    assert r.returncode == 0 and "instructor" in r.stdout
    # Exports: nothing submitted yet, so the header alone (the rows: tests/app).
    r = cli("export", "grades")
    assert r.returncode == 0 and r.stdout == (
        "username,problem,best_score,solved,submits,first_submit_at,best_at,solved_at,"
        "last_submit_at\n"
    ), r.stderr
    out = tmp_path / "attempts.csv"
    assert cli("export", "attempts", "-o", str(out)).returncode == 0
    r = cli("export", "grades", "-o", str(tmp_path / "no-such-dir" / "grades.csv"))
    assert r.returncode == 1 and "cannot write" in r.stderr and "Traceback" not in r.stderr
    assert out.read_bytes().startswith(b"id,username,problem,") and out.read_bytes().endswith(
        b"\r\n"
    )
