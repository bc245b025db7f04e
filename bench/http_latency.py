"""End-to-end latency and throughput through the public HTTP API against ``jaxdojo serve``.

Starts ``jaxdojo serve`` on a free local port with a throwaway data directory (SQLite, a
local worker), waits for its warm-up, then for each problem submits a known-correct
solution N times, one after another, timing POST /api/submissions -> a terminal status
on the event stream GET /api/submissions/{id}/events, as the problem page does (the
burst polls GET /api/submissions/{id} instead, every 5 ms). In the same run it grades the same
code N times in process through ``Grader`` (the grader alone), so the platform overhead
(end to end minus grader) is a number. Then it measures sustained throughput: a burst of
cumulative-sum submissions from several users, with 1 and with 2 grading slots.

Usage::

    python bench/http_latency.py [-n 20] [--problems cumulative-sum nnx-scan-rnn] [--burst 24]

Targets (the student's-loop issue): cumulative-sum p50 <= 250 ms end to end, platform
overhead <= 30 ms. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.grade_latency import correct_solution, percentile  # noqa: E402
from grader.config import GraderSettings  # noqa: E402
from grader.grade import Grader  # noqa: E402
from grader.spec import load_problems  # noqa: E402

TERMINAL = {"passed", "failed", "error", "timeout", "memory", "system_error", "cancelled"}
PASSWORD = "a long passphrase for benchmarks"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Api:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(
        self, method: str, path: str, body: Any = None, token: str = "", form: bool = False
    ) -> Any:
        data = None
        headers = {}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if body is not None and form:
            data = "&".join(f"{k}={v}" for k, v in body.items()).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers, method=method
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def user(self, name: str) -> str:
        self.call("POST", "/api/auth/register", {"username": name, "password": PASSWORD})
        reply = self.call(
            "POST", "/api/auth/token", {"username": name, "password": PASSWORD}, form=True
        )
        return str(reply["access_token"])

    def submit(self, token: str, slug: str, code: str) -> int:
        body = {"problem": slug, "code": code, "mode": "submit"}
        return int(self.call("POST", "/api/submissions", body, token)["id"])

    def pushed(self, token: str, attempt_id: int) -> dict[str, Any]:
        """Wait on the event stream, as the problem page does, for the result event."""
        request = urllib.request.Request(
            f"{self.base}/api/submissions/{attempt_id}/events",
            headers={"authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            event = ""
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "result":
                    return dict(json.loads(line[len("data: ") :]))
        raise SystemExit(f"attempt {attempt_id}: the stream ended without a result")

    def wait(self, token: str, attempt_id: int, timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            reply = self.call("GET", f"/api/submissions/{attempt_id}", token=token)
            if reply["status"] in TERMINAL:
                return dict(reply)
            time.sleep(0.005)
        raise SystemExit(f"attempt {attempt_id} did not finish in {timeout_s:g} s")


def start_server(data_dir: Path, port: int, slots: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JAXDOJO_DATA_DIR": str(data_dir),
        "JAXDOJO_REGISTRATIONS_PER_IP": "1000",
        "JAXDOJO_SUBMIT_RATE_LIMIT": "100000",
        "JAXDOJO_USER_ACTIVE_MAX": "1000",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    command += ["--workers", str(slots)]
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(api: Api, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            api.call("GET", "/api/health")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("jaxdojo serve did not come up")


def warm(api: Api, token: str, slugs: list[str], codes: dict[str, str], log: Path) -> None:
    """Wait for the worker's warm-up (every reference output and the compilation cache:
    it logs "warm-up done"), then grade each solution once, untimed."""
    deadline = time.monotonic() + 600
    while "warm-up done" not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise SystemExit("the worker's warm-up did not finish in 10 minutes")
        time.sleep(0.5)
    for slug in slugs:
        reply = api.wait(token, api.submit(token, slug, codes[slug]))
        if reply["status"] != "passed":
            raise SystemExit(f"{slug}: the correct solution got {reply['status']}")


def end_to_end(api: Api, token: str, slug: str, code: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        api.pushed(token, api.submit(token, slug, code))
        times.append((time.perf_counter() - start) * 1000)
    return times


def throughput(api: Api, tokens: list[str], code: str, burst: int) -> float:
    start = time.perf_counter()
    ids = [
        (t, api.submit(t, "cumulative-sum", code))
        for i in range(burst)
        for t in [tokens[i % len(tokens)]]
    ]
    for token, attempt_id in ids:
        api.wait(token, attempt_id)
    return burst / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--problems", nargs="*", default=["cumulative-sum", "nnx-scan-rnn"])
    parser.add_argument("--burst", type=int, default=24, help="submissions per throughput run")
    args = parser.parse_args()
    problems, _ = load_problems(ROOT / "problems")
    codes = {slug: correct_solution(problems[slug]) for slug in args.problems}
    codes.setdefault("cumulative-sum", correct_solution(problems["cumulative-sum"]))
    rows: dict[str, dict[str, float]] = {}
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="jaxdojo-bench-") as tmp:
        for slots in (1, 2):
            data_dir = Path(tmp) / f"data-{slots}"
            data_dir.mkdir()
            port = free_port()
            server = start_server(data_dir, port, slots)
            try:
                api = Api(f"http://127.0.0.1:{port}")
                wait_healthy(api)
                tokens = [api.user(f"bench{i}") for i in range(4)]
                warm(api, tokens[0], sorted(codes), codes, data_dir / "serve.log")
                if slots == 1:
                    for slug in args.problems:
                        times = end_to_end(api, tokens[0], slug, codes[slug], args.n)
                        rows[slug] = {
                            "p50": statistics.median(times),
                            "p90": percentile(times, 0.9),
                        }
                        print(f"  end to end {slug}: p50 {rows[slug]['p50']:.0f} ms", flush=True)
                rates[slots] = throughput(api, tokens, codes["cumulative-sum"], args.burst)
                print(f"  throughput with {slots} slot(s): {rates[slots]:.2f} grades/s", flush=True)
            finally:
                server.terminate()
                server.wait(timeout=60)
        settings = GraderSettings(data_dir=Path(tmp) / "data-1")
        with Grader(settings) as grader:
            for slug in args.problems:
                grader.grade(slug, codes[slug], "submit")  # not timed
                times = []
                for _ in range(args.n):
                    start = time.perf_counter()
                    result = grader.grade(slug, codes[slug], "submit")
                    times.append((time.perf_counter() - start) * 1000)
                    assert result.status == "passed", result.summary
                rows[slug]["grader_p50"] = statistics.median(times)
    print()
    print(
        f"HTTP submit -> verdict, n={args.n}, sequential, one user "
        "(ms; overhead = end to end - grader)"
    )
    print(f"{'problem':<20}{'e2e p50':>9}{'e2e p90':>9}{'grader p50':>12}{'overhead':>10}  targets")
    for slug, r in rows.items():
        overhead = r["p50"] - r["grader_p50"]
        target = ""
        if slug == "cumulative-sum":
            target = (
                f"p50<=250ms {'PASS' if r['p50'] <= 250 else 'MISS'}; "
                f"overhead<=30ms {'PASS' if overhead <= 30 else 'MISS'}"
            )
        cells = f"{r['p50']:>9.0f}{r['p90']:>9.0f}{r['grader_p50']:>12.0f}{overhead:>10.0f}"
        print(f"{slug:<20}{cells}  {target}")
    print()
    for slots, rate in rates.items():
        print(
            f"throughput, burst of {args.burst} cumulative-sum submits from 4 users, "
            f"{slots} slot(s): {rate:.2f} grades/s"
        )


if __name__ == "__main__":
    main()
