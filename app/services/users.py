"""Accounts, sign-in, server-side sessions and API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import security
from app.core.db import utcnow
from app.models import ROLES, ApiToken, LoginAttempt, Registration, User, UserSession
from app.services.errors import Conflict, InvalidInput, NotFound, RateLimited, valid_id

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
# One message for unknown user and wrong password (ASVS 6.3.8).
BAD_CREDENTIALS = "Incorrect username or password."
# Refused outright (ASVS 6.2.4 asks for a top-3000 list; this is the obvious head of it).
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "iloveyou",
        "11111111",
        "00000000",
        "abcdefgh",
        "passw0rd",
        "qwerty123",
        "letmein1",
        "baseball",
        "football",
        "sunshine",
        "princess",
        "trustno1",
        "superman",
        "jaxdojo1",
    }
)


def normalize_username(username: str) -> str:
    return username.replace("\x00", "").strip().lower()


def validate_credentials(*, username: str, password: str) -> str:
    """Return the normalized username, or raise InvalidInput saying what is wrong."""
    name = normalize_username(username)
    if not USERNAME_RE.match(name):
        raise InvalidInput(
            "Username must be 3-32 characters: letters, digits, '_', '.', '-', "
            "starting with a letter or digit."
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Password must be at most {MAX_PASSWORD} characters.")
    if password.lower() in COMMON_PASSWORDS or password.lower() == name:
        raise InvalidInput("That password is too common; choose another.")
    return name


def check_registration_rate(
    *, session: Session, ip: str, max_per_window: int, window_s: int
) -> None:
    """Raise RateLimited when ``ip`` made ``max_per_window`` accounts within ``window_s``;
    otherwise record this registration (the caller commits with the new user)."""
    ip = ip.replace("\x00", "")[:64]
    since = utcnow() - timedelta(seconds=window_s)
    times = list(
        session.scalars(
            select(Registration.created_at)
            .where(Registration.ip == ip, Registration.created_at >= since)
            .order_by(Registration.created_at)
        )
    )
    if len(times) >= max_per_window:
        retry = window_s - (utcnow() - times[0]).total_seconds()
        raise RateLimited(
            f"Too many accounts were created from your address; try again in "
            f"{int(retry) // 60 + 1} minutes.",
            retry_after=int(retry) + 1,
        )
    session.add(Registration(ip=ip))
    session.execute(
        delete(Registration).where(Registration.created_at < utcnow() - timedelta(days=1))
    )


def register_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str = "student",
    ip: str | None = None,
    max_per_window: int = 5,
    window_s: int = 3600,
) -> User:
    """Create an account. Raises InvalidInput (bad name/password), Conflict (taken), or,
    when ``ip`` is given (sign-ups from the web and the API), RateLimited past
    ``max_per_window`` accounts per client address per ``window_s``."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    name = validate_credentials(username=username, password=password)
    if ip is not None:
        check_registration_rate(
            session=session, ip=ip, max_per_window=max_per_window, window_s=window_s
        )
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Conflict("That username is taken.")
    user = User(username=name, password_hash=security.hash_password(password), role=role)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        session.rollback()
        raise Conflict("That username is taken.") from exc
    return user


def get_user_by_username(*, session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def set_role(*, session: Session, username: str, role: str) -> User:
    """Change a user's role; the last admin cannot stop being one (nobody could give the
    role back from the site)."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    user = get_user_by_username(session=session, username=username)
    if user is None:
        raise NotFound("No such user.")
    if user.role == "admin" and role != "admin":
        admins = session.scalar(select(func.count()).where(User.role == "admin")) or 0
        if admins <= 1:
            raise InvalidInput(f"{user.username} is the only admin; make another admin first")
    user.role = role
    return user


def list_users(*, session: Session) -> list[User]:
    """Every account, admins first, then instructors, then students, each by name."""
    rank = {role: i for i, role in enumerate(reversed(ROLES))}
    users = session.scalars(select(User).order_by(User.username)).all()
    return sorted(users, key=lambda u: rank.get(u.role, len(rank)))


def set_password(*, session: Session, user: User, password: str) -> None:
    """Change a password and end every session of the user."""
    validate_credentials(username=user.username, password=password)
    user.password_hash = security.hash_password(password)
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


WRONG_PASSWORD = "Your current password is not correct."  # noqa: S105
SAME_PASSWORD = "The new password must differ from your current one."  # noqa: S105


class WrongPassword(InvalidInput):
    """Your current password is not correct."""

    status_code = 400
    code = "wrong_password"


def change_password(
    *,
    session: Session,
    user: User,
    current_password: str,
    new_password: str,
    ip: str = "",
    max_failures: int = 10,
    window_s: int = 60,
) -> None:
    """Change the user's own password after checking the current one, then end every
    session of the user (``set_password``); API tokens stay valid.

    Raises WrongPassword (an InvalidInput, HTTP 400) for a wrong current password, which
    is recorded as a failed sign-in: the caller must commit then too, so that guesses
    count towards the sign-in limits, and RateLimited past them (like ``authenticate``).
    Raises InvalidInput when the new password equals the current one or is not valid.
    Nothing is changed on any error."""
    name = user.username[:64]
    _check_login_rate(
        session=session, username=name, ip=ip, max_failures=max_failures, window_s=window_s
    )
    if not security.verify_password(user.password_hash, current_password):
        session.add(LoginAttempt(username=name, ip=ip.replace("\x00", "")[:64], succeeded=False))
        raise WrongPassword(WRONG_PASSWORD)
    if new_password == current_password:
        raise InvalidInput(SAME_PASSWORD)
    set_password(session=session, user=user, password=new_password)


def _check_login_rate(
    *, session: Session, username: str, ip: str, max_failures: int, window_s: int
) -> None:
    since = utcnow() - timedelta(seconds=window_s)
    failed = LoginAttempt.succeeded.is_(False)
    recent = LoginAttempt.created_at >= since
    by_name = session.scalar(
        select(func.count()).where(failed, recent, LoginAttempt.username == username)
    )
    by_ip = session.scalar(select(func.count()).where(failed, recent, LoginAttempt.ip == ip))
    if (by_name or 0) >= max_failures or (by_ip or 0) >= max_failures * 5:
        raise RateLimited("Too many failed sign-ins; wait a minute.", retry_after=window_s)


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    ip: str = "",
    max_failures: int = 10,
    window_s: int = 60,
) -> User | None:
    """The user for these credentials, or None (same cost and answer for unknown names).

    Every try is recorded; raises RateLimited after ``max_failures`` failures per name
    (or 5x that per IP) within ``window_s``. The caller must commit even on None so the
    failure is counted.
    """
    name = normalize_username(username)[:64]
    _check_login_rate(
        session=session, username=name, ip=ip, max_failures=max_failures, window_s=window_s
    )
    user = session.scalar(select(User).where(User.username == name))
    ok = security.verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(username=name, ip=ip.replace("\x00", "")[:64], succeeded=ok))
    # Keep the table small: a name's records older than a day no longer matter.
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.username == name, LoginAttempt.created_at < utcnow() - timedelta(days=1)
        )
    )
    if not ok or user is None:
        return None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True)
class NewSession:
    token: str  # the cookie value: shown once, never stored
    record: UserSession


def create_session(
    *, session: Session, user: User, max_age_s: int, user_agent: str | None = None
) -> NewSession:
    """Start a browser session (a fresh id on every sign-in: no fixation)."""
    token = security.new_secret_token()
    now = utcnow()
    record = UserSession(
        id_hash=security.token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=max_age_s),
        user_agent=(user_agent or "")[:200] or None,
    )
    session.add(record)
    session.flush()
    return NewSession(token=token, record=record)


def resolve_session(*, session: Session, token: str, idle_s: int) -> UserSession | None:
    """The live session for a cookie value, touching its last-seen time (at most 1/min)."""
    record = session.get(UserSession, security.token_hash(token))
    now = utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    if record.last_seen_at + timedelta(seconds=idle_s) <= now or not record.user.is_active:
        return None
    if (now - record.last_seen_at).total_seconds() > 60:
        record.last_seen_at = now
    return record


def logout(*, session: Session, token: str) -> None:
    """Revoke the session behind a cookie value (no error when unknown)."""
    session.execute(
        update(UserSession)
        .where(UserSession.id_hash == security.token_hash(token))
        .values(revoked_at=utcnow())
    )


@dataclass(frozen=True)
class NewApiToken:
    token: str  # shown to the user once
    record: ApiToken


def create_api_token(
    *, session: Session, user: User, name: str = "api", expires_at: datetime | None = None
) -> NewApiToken:
    token = security.new_api_token()
    record = ApiToken(
        user_id=user.id,
        name=(name.strip() or "api")[:64],
        token_hash=security.token_hash(token),
        prefix=token[:10],
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    return NewApiToken(token=token, record=record)


def list_api_tokens(*, session: Session, user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(*, session: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens; NotFound for anyone else's."""
    record = session.get(ApiToken, token_id) if valid_id(token_id) else None
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        raise NotFound("No such token.")
    record.revoked_at = utcnow()


def resolve_api_token(*, session: Session, token: str) -> User | None:
    record = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == security.token_hash(token))
    )
    now = utcnow()
    if record is None or record.revoked_at is not None:
        return None
    if record.expires_at is not None and record.expires_at <= now:
        return None
    if not record.user.is_active:
        return None
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        record.last_used_at = now
    return record.user


def revoke_bearer(*, session: Session, token: str) -> None:
    """Revoke the API token with this value (no error when unknown)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == security.token_hash(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
