"""The app's settings: one pydantic-settings class that embeds the grader's.

Values come from the environment (prefix ``JAXDOJO_``; ``DATABASE_URL`` unprefixed) and an
optional ``.env`` file. Outside development the secret key must be set explicitly, be long
and not a published example value; in development a random key is generated once and kept
in the data directory so sessions survive restarts.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core import security
from grader.config import GraderSettings

Environment = Literal["development", "test", "production"]

MIN_SECRET_BYTES = 32
# Values that appear in examples and docs; refusing them catches copy-pasted configs.
KNOWN_DEFAULT_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "secret",
        "dev",
        "development",
        "please-change-this-secret-key-in-production",
        "CHANGE-ME-to-a-long-random-string-of-at-least-32-bytes",
    }
)


class InsecureConfiguration(RuntimeError):
    """The configuration is not safe to run in production."""


class Settings(BaseSettings):
    """Everything the web app and the queue worker read from the environment."""

    model_config = SettingsConfigDict(
        env_prefix="JAXDOJO_", env_file=".env", extra="ignore", populate_by_name=True
    )

    env: Environment = "development"
    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABASE_URL", "JAXDOJO_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; default: a SQLite file in the data directory",
    )
    secret_key: SecretStr | None = None
    grader: GraderSettings = Field(default_factory=GraderSettings)

    # `jaxdojo serve` (flags override)
    host: str = Field("127.0.0.1", description="address `jaxdojo serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="port `jaxdojo serve` listens on")
    # Set by `serve` for the worker it starts: the worker stops when that process is gone.
    worker_parent_pid: int | None = Field(None, ge=1)

    # Database
    sqlite_busy_timeout_ms: int = Field(5000, ge=0)
    db_pool_size: int = Field(5, ge=1)

    # Accounts and sessions
    session_max_age_s: int = Field(14 * 24 * 3600, gt=0, description="absolute session lifetime")
    session_idle_s: int = Field(3 * 24 * 3600, gt=0, description="idle timeout of a session")
    login_max_failures: int = Field(10, ge=1, description="failed logins per window, per name/IP")
    login_window_s: int = Field(60, gt=0)
    registration_open: bool = True
    registrations_per_ip: int = Field(
        5, ge=1, description="accounts one client address may create per registration window"
    )
    registration_window_s: int = Field(3600, gt=0)
    # argon2id parameters of password hashes. Changing them rehashes each password at its
    # owner's next sign-in. Production refuses less than OWASP's weakest recommended pair.
    password_hash_time_cost: int = Field(
        security.DEFAULT_TIME_COST, ge=1, le=100, description="argon2 iterations"
    )
    password_hash_memory_kib: int = Field(
        security.DEFAULT_MEMORY_KIB,
        ge=1024,
        le=1024 * 1024,  # 1 GiB per hash: a larger value is a bytes-for-KiB mistake
        description="argon2 memory per hash, in KiB",
    )
    password_hash_parallelism: int = Field(
        security.DEFAULT_PARALLELISM, ge=1, le=64, description="argon2 lanes"
    )
    # Addresses (comma-separated, or "*") of reverse proxies whose X-Forwarded-For is
    # believed. Anyone else's header is ignored, so a client cannot choose its own IP for
    # the sign-in and registration limits. Set it to the proxy's address behind one.
    forwarded_allow_ips: str = "127.0.0.1"
    # Origins (scheme://host[:port]) accepted on cookie-authenticated writes besides the
    # request's own Host, for proxies that rewrite Host. JSON list in the environment.
    trusted_origins: list[str] = Field(default_factory=list)

    # Submissions and queue
    submit_rate_limit: int = Field(30, ge=1, description="submissions per user per window")
    submit_rate_window_s: int = Field(60, gt=0)
    queue_max: int = Field(500, ge=1, description="queued attempts before new ones get 503")
    user_active_max: int = Field(
        3, ge=1, description="attempts one user may have queued or running at once (429 past it)"
    )
    max_request_bytes: int = Field(512 * 1024, ge=1024, description="largest request body")
    lease_s: float = Field(60.0, gt=0, description="how long a claim lasts without heartbeat")
    heartbeat_s: float = Field(10.0, gt=0, description="how often a worker renews its leases")
    poll_s: float = Field(0.5, gt=0, description="worker sleep when the queue is empty")
    max_tries: int = Field(3, ge=1, description="platform-failure attempts before system_error")
    event_stream_max_s: float = Field(
        900.0, gt=0, description="an event stream ends after this long, verdict or not"
    )
    job_timeout_s: float = Field(
        300.0, gt=0, description="a grade running longer is presumed hung: its lease lapses"
    )
    # Tests name a fake grader here ("module:callable", called with the Settings). Unset,
    # the worker uses grader.grade.Grader.
    grader_factory: str | None = None

    @property
    def data_dir(self) -> Path:
        return self.grader.data_dir

    @property
    def problems_dir(self) -> Path:
        return self.grader.problems_dir

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'jaxdojo.sqlite3'}"

    @property
    def max_code_bytes(self) -> int:
        return self.grader.limits.max_source_bytes

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @model_validator(mode="after")
    def _check_secrets(self) -> Settings:
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if self.env == "production":
            if not key:
                raise InsecureConfiguration("JAXDOJO_SECRET_KEY must be set in production")
            if len(key.encode()) < MIN_SECRET_BYTES:
                raise InsecureConfiguration(
                    f"JAXDOJO_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes"
                )
            if key in KNOWN_DEFAULT_SECRETS or key.lower().startswith("change"):
                raise InsecureConfiguration("JAXDOJO_SECRET_KEY is a published example value")
            _check_database_password(self.sqlalchemy_url)
            if self.heartbeat_s >= self.lease_s:
                raise InsecureConfiguration("heartbeat_s must be shorter than lease_s")
            _check_password_hashing(self.password_hash_time_cost, self.password_hash_memory_kib)
        elif not key:
            self.secret_key = SecretStr(_dev_secret(self.data_dir))
        return self


# OWASP's argon2id choices run from m=46 MiB, t=1 to m=7 MiB, t=5: none has less memory
# than this, nor a smaller product of memory and iterations.
MIN_HASH_MEMORY_KIB = 7 * 1024
MIN_HASH_MEMORY_KIB_X_TIME = 35 * 1024


def _check_password_hashing(time_cost: int, memory_kib: int) -> None:
    if memory_kib < MIN_HASH_MEMORY_KIB or memory_kib * time_cost < MIN_HASH_MEMORY_KIB_X_TIME:
        raise InsecureConfiguration(
            "JAXDOJO_PASSWORD_HASH_MEMORY_KIB / _TIME_COST are below OWASP's minimum in "
            f"production: at least {MIN_HASH_MEMORY_KIB} KiB and memory x iterations of "
            f"{MIN_HASH_MEMORY_KIB_X_TIME} (the default is 19456 KiB x 2)"
        )


WEAK_DB_PASSWORDS = frozenset({"postgres", "password", "jaxdojo", "changeme", "secret", "admin"})
MIN_DB_PASSWORD = 12


def _check_database_password(url: str) -> None:
    """Production Postgres needs a real password (trust auth over a network is not one)."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.host in (None, "", "localhost") or str(parsed.host).startswith("/"):
        return  # a local socket: peer authentication is fine
    password = parsed.password or ""
    if len(password) < MIN_DB_PASSWORD or password.lower() in WEAK_DB_PASSWORDS:
        raise InsecureConfiguration(
            f"DATABASE_URL needs a database password of at least {MIN_DB_PASSWORD} characters "
            "in production"
        )


def _dev_secret(data_dir: Path) -> str:
    """A random key generated once per data directory (development only)."""
    path = data_dir / "dev-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
