"""End to end through the real grader: API submit -> ``jaxdojo worker --burst`` process
(grader.grade.Grader and its sandbox) -> poll. SQLite only: the queue paths are covered
on both databases by the fake-grader tests; this one proves the real wiring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from grader.config import GraderSettings
from tests.app.support import PASSWORD, TEST_SECRET, make_settings, prepare

REPO = Path(__file__).resolve().parents[2]
PROBLEMS = REPO / "problems"
SLUG = "cumulative-sum"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_submit_graded_by_the_real_grader(tmp_path: Path) -> None:
    correct = sorted((PROBLEMS / SLUG / "solutions" / "correct").glob("*.py"))
    wrong = sorted((PROBLEMS / SLUG / "solutions" / "wrong").glob("*.py"))
    if not correct or not wrong:
        pytest.skip(f"problems/{SLUG} has no known solutions yet")
    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    data = tmp_path / "data"
    settings = make_settings(url, data, grader=GraderSettings(data_dir=data, problems_dir=PROBLEMS))
    prepare(settings)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.post("/api/auth/register", json={"username": "real", "password": PASSWORD})
        token = client.post(
            "/api/auth/token", data={"username": "real", "password": PASSWORD}
        ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        ids = {}
        for label, path in (("correct", correct[0]), ("wrong", wrong[0])):
            r = client.post(
                "/api/submissions",
                json={"problem": SLUG, "code": path.read_text(), "mode": "submit"},
                headers=h,
            )
            assert r.status_code == 202, r.text
            ids[label] = r.json()["id"]

        env = {k: v for k, v in os.environ.items() if not k.startswith("JAXDOJO_")}
        env.update(
            DATABASE_URL=url,
            JAXDOJO_ENV="test",
            JAXDOJO_SECRET_KEY=TEST_SECRET,
            JAXDOJO_DATA_DIR=str(data),
            JAXDOJO_PROBLEMS_DIR=str(PROBLEMS),
            PYTHONPATH=str(REPO),
        )
        proc = subprocess.run(
            [sys.executable, "-m", "app.cli", "worker", "--burst"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        good = client.get(f"/api/submissions/{ids['correct']}", headers=h).json()
        bad = client.get(f"/api/submissions/{ids['wrong']}", headers=h).json()
    app.state.engine.dispose()
    assert good["status"] == "passed", (good["result"], proc.stderr[-3000:])
    assert good["result"]["schema"] == 1 and good["score"] == 1.0
    assert bad["status"] in ("failed", "error"), bad["result"]
    # hidden cases show only a name and a status
    for case in bad["result"]["cases"]:
        if case["hidden"]:
            assert set(k for k, v in case.items() if v is not None) <= {"name", "hidden", "status"}
