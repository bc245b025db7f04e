"""Platform commands of the ``jaxdojo`` CLI: serve, worker, db, sync, users, export.

Configuration comes from :class:`app.core.config.Settings` (environment, ``.env``), never
from ``os.environ`` directly; flags override it."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

log = logging.getLogger("jaxdojo")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="migrate, sync problems, run the site + a worker")
    serve.add_argument("--host", help="default: JAXDOJO_HOST, else 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: JAXDOJO_PORT, else 8000")
    serve.add_argument("--workers", type=int, default=1, help="grading slots of the local worker")
    serve.add_argument("--no-worker", action="store_true", help="web only (workers run apart)")
    serve.add_argument(
        "--dev", action="store_true", help="sync problem folders into the site when they change"
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="grade queued submissions")
    worker.add_argument("--concurrency", type=int, default=1, help="attempts graded at once")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.add_argument("--max-jobs", type=int, default=None, help="exit after N attempts")
    worker.set_defaults(func=cmd_worker)

    db = sub.add_parser("db", help="database schema")
    dsub = db.add_subparsers(dest="db_command", required=True)
    dsub.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    sync = sub.add_parser("sync", help="sync problems/ into the database")
    sync.set_defaults(func=cmd_sync)

    users = sub.add_parser("users", help="manage accounts")
    usub = users.add_subparsers(dest="users_command", required=True)
    create = usub.add_parser("create", help="create an account (password from stdin/prompt)")
    create.add_argument("username")
    create.add_argument("--role", choices=("student", "instructor", "admin"), default="student")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(func=cmd_users_create)
    admin = usub.add_parser("create-admin", help="create an admin account")
    admin.add_argument("username")
    admin.add_argument("--password-stdin", action="store_true")
    admin.set_defaults(func=cmd_users_create, role="admin")
    role = usub.add_parser("set-role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=("student", "instructor", "admin"))
    role.set_defaults(func=cmd_users_set_role)

    export = sub.add_parser("export", help="CSV of grades or attempts (as on the instructor page)")
    export.add_argument("what", choices=("grades", "attempts"))
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(func=cmd_export)


def _prepare_database() -> int:
    """Migrate and sync problems; returns the number of problem errors."""
    from app.core.config import get_settings
    from app.core.db import make_engine, make_sessionmaker, session_scope
    from app.core.migrate import upgrade
    from app.services.problems import sync_problems

    settings = get_settings()
    engine = make_engine(settings)
    upgrade(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        report = sync_problems(session=session, problems_dir=settings.problems_dir)
    engine.dispose()
    log.info(
        "problems: %d added, %d updated, %d unchanged, %d hidden",
        len(report.added),
        len(report.updated),
        len(report.unchanged),
        len(report.deactivated),
    )
    for error in report.errors:
        log.error("problem error: %s", error)
    return len(report.errors)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    configure_logging()
    from app.core.config import get_settings
    from app.core.db import make_engine
    from app.core.migrate import upgrade

    engine = make_engine(get_settings())
    upgrade(engine)
    engine.dispose()
    print("database is at the latest revision")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    configure_logging()
    return 1 if _prepare_database() else 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("passwords differ")
    return first


def cmd_users_create(args: argparse.Namespace) -> int:
    from app.core import security
    from app.core.config import get_settings
    from app.core.db import make_engine, make_sessionmaker, session_scope
    from app.services.errors import ServiceError
    from app.services.users import register_user

    password = _read_password(args)
    settings = get_settings()
    security.configure(settings)  # hash with JAXDOJO_PASSWORD_HASH_*, as the site does
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            user = register_user(
                session=session, username=args.username, password=password, role=args.role
            )
            print(f"created {user.username} ({user.role})")
    except ServiceError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


def cmd_users_set_role(args: argparse.Namespace) -> int:
    from app.core.config import get_settings
    from app.core.db import make_engine, make_sessionmaker, session_scope
    from app.services.errors import ServiceError
    from app.services.users import set_role

    engine = make_engine(get_settings())
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            user = set_role(session=session, username=args.username, role=args.role)
            print(f"{user.username} is now {user.role}")
    except ServiceError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.core.config import get_settings
    from app.core.db import make_engine, make_sessionmaker, session_scope
    from app.services import instructor

    engine = make_engine(get_settings())
    with session_scope(make_sessionmaker(engine)) as session:
        if args.what == "grades":
            text = instructor.to_csv(
                instructor.grade_rows(session=session), instructor.GRADE_COLUMNS
            )
        else:
            text = instructor.to_csv(
                instructor.attempt_rows(session=session), instructor.ATTEMPT_COLUMNS
            )
    engine.dispose()
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    configure_logging()
    from app.core.config import get_settings
    from app.queue.worker import Worker

    worker = Worker(settings=get_settings(), concurrency=args.concurrency)
    worker.install_signal_handlers()
    settings = worker.settings
    if settings.worker_parent_pid is not None:
        threading.Thread(
            target=_stop_when_orphaned, args=(worker, settings.worker_parent_pid), daemon=True
        ).start()
    worker.run(burst=args.burst, max_jobs=args.max_jobs)
    return 0


def _stop_when_orphaned(worker: Any, parent_pid: int) -> None:
    """Warm-stop the worker when the `serve` process that started it is gone."""
    while not worker.stopping.wait(1.0):
        if os.getppid() != parent_pid:
            log.warning("parent process %d is gone; stopping", parent_pid)
            worker.stopping.set()
            return


class _WorkerSupervisor:
    """Runs ``jaxdojo worker`` as a child process and restarts it if it dies.

    A child rather than a thread: a grader crash or a hung sandbox cannot take the web
    server down, and the child gets its own signals (warm stop on SIGTERM).
    """

    def __init__(self, concurrency: int):
        self.cmd = [sys.executable, "-m", "app.cli", "worker", "--concurrency", str(concurrency)]
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        # Its own session: a terminal's Ctrl-C reaches only `serve`, which then asks the
        # worker for a warm stop; the worker exits by itself if `serve` dies (parent watch).
        env = {**os.environ, "JAXDOJO_WORKER_PARENT_PID": str(os.getpid())}
        return subprocess.Popen(self.cmd, env=env, start_new_session=True)

    def start(self) -> None:
        self.proc = self._spawn()
        self.thread.start()

    def _watch(self) -> None:
        backoff = 1.0
        while not self.stopping.wait(1.0):
            if self.proc is not None and self.proc.poll() is not None:
                log.error(
                    "local worker exited with %s; restarting in %.0fs",
                    self.proc.returncode,
                    backoff,
                )
                if self.stopping.wait(backoff):
                    return
                backoff = min(backoff * 2, 60.0)
                self.proc = self._spawn()

    def stop(self, grace_s: float = 30.0) -> None:
        self.stopping.set()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # warm stop: finish the attempt in hand
        deadline = time.monotonic() + grace_s
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # cold stop: release the lease
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def cmd_serve(args: argparse.Namespace) -> int:
    configure_logging()
    import uvicorn

    from app.core.config import get_settings
    from app.main import create_app

    settings = get_settings()
    _prepare_database()
    supervisor = None if args.no_worker else _WorkerSupervisor(args.workers)
    if supervisor is not None:
        supervisor.start()
    watcher = None
    if args.dev:
        from app.devreload import ProblemWatcher

        watcher = ProblemWatcher(settings)
        watcher.start()
        log.info("dev mode: watching %s for changes", settings.problems_dir)
    # uvicorn re-raises the signal that stopped it once it has shut down; with these
    # handlers that lands here as a no-op, so the worker is stopped below, not orphaned.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    try:
        uvicorn.run(
            create_app(settings),
            host=args.host or settings.host,
            port=args.port or settings.port,
            # The app applies JAXDOJO_FORWARDED_ALLOW_IPS itself (app.main.create_app).
            proxy_headers=False,
            log_config=None,
        )
    finally:
        if watcher is not None:
            watcher.stop()
        if supervisor is not None:
            supervisor.stop()
    return 0
