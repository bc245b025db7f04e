"""Browser tests: a real ``jaxdojo serve`` (web + worker + sandboxed grader) on a free
port with a temporary data directory, driven through Debian's Chromium by Playwright.

Playwright cannot download its own browsers here, so we launch the system Chromium
(``JAXDOJO_CHROMIUM``, default ``/usr/bin/chromium``). Without it the tests skip, unless
``JAXDOJO_REQUIRE_BROWSER=1`` (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("JAXDOJO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTRUCTOR = ("prof", "instructor password 1")
SCREENSHOTS = Path(os.environ.get("JAXDOJO_SCREENSHOTS", "/tmp/jaxdojo-screenshots"))

pytestmark = pytest.mark.browser


def _browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (set JAXDOJO_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python 'playwright' package is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path
    log: Path


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jaxdojo serve exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/problems", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"jaxdojo serve did not start in {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("JAXDOJO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"JAXDOJO_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    data_dir = tmp_path_factory.mktemp("jaxdojo-browser")
    port = _free_port()
    env = {
        **os.environ,
        "JAXDOJO_DATA_DIR": str(data_dir),
        "JAXDOJO_ENV": "development",
        "JAXDOJO_SECRET_KEY": "browser-test-secret-" + "k" * 40,
        "JAXDOJO_PROBLEMS_DIR": str(REPO / "problems"),
        "JAXDOJO_SUBMIT_RATE_LIMIT": "1000",
        "JAXDOJO_REGISTRATIONS_PER_IP": "1000",  # every test signs up from 127.0.0.1
        # Cheap argon2 (the server and `users create`): sign-ups and sign-ins in every flow.
        "JAXDOJO_PASSWORD_HASH_MEMORY_KIB": "1024",
        "JAXDOJO_PASSWORD_HASH_TIME_COST": "1",
        # Warm-up would compile all seven problems in the background and compete for the
        # two cores with the flows under test; it has its own test in tests/grader.
        "JAXDOJO_WARM_ON_START": "false",
    }
    env.pop("DATABASE_URL", None)
    jaxdojo = [sys.executable, "-m", "app.cli"]
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*jaxdojo, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: web, worker and sandboxes
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, proc, log, timeout=120)
        subprocess.run(
            [
                *jaxdojo,
                "users",
                "create",
                INSTRUCTOR[0],
                "--role",
                "instructor",
                "--password-stdin",
            ],
            input=(INSTRUCTOR[1] + "\n").encode(),
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        yield Server(url=url, data_dir=data_dir, log=log)
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with contextlib.suppress(ProcessLookupError):  # leftovers: worker, sandboxes
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def solution_code(slug: str, kind: str, name: str) -> str:
    return (REPO / "problems" / slug / "solutions" / kind / f"{name}.py").read_text("utf-8")


_counter = iter(range(10_000))


def sign_up(page: Any, prefix: str = "student") -> str:
    username = f"{prefix}{os.getpid() % 1000}x{next(_counter)}"
    page.goto("/register")
    page.fill("#username", username)
    page.fill("#password", "a long enough password")
    page.fill("#password2", "a long enough password")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/problems")
    return username
