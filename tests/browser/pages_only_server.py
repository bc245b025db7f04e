"""Serve the web app without a grader worker (``python -m tests.browser.pages_only_server``).

For looking at pages while the rest of the platform is elsewhere: migrates a fresh
database in ``--data-dir``, syncs the problem folders and runs uvicorn. Submissions stay
queued. The browser tests use ``jaxdojo serve`` (web + worker) when it exists.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from app.core.config import Settings
from app.core.migrate import upgrade
from app.main import create_app
from app.services import problems as problem_service
from app.services import users as user_service
from grader.config import GraderSettings

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--instructor", default="", help="create this instructor (password1234!)")
    args = parser.parse_args()
    settings = Settings(
        env="development",
        grader=GraderSettings(data_dir=args.data_dir, problems_dir=REPO / "problems"),
    )
    app = create_app(settings)
    upgrade(app.state.engine)
    with app.state.sessionmaker() as session:
        problem_service.sync_problems(session=session, problems_dir=settings.problems_dir)
        if args.instructor:
            user_service.register_user(
                session=session,
                username=args.instructor,
                password="password1234!",
                role="instructor",
            )
        session.commit()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
