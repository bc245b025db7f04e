"""Passwords, random tokens and CSRF tokens.

Passwords: argon2id, by default with OWASP's parameters (t=2, m=19 MiB, p=1; ASVS 5.0
appendix C). The parameters are settings (``JAXDOJO_PASSWORD_HASH_*``); ``configure``
applies them to the one hasher of the process (``create_app`` and the CLI commands that
hash call it), and a password is rehashed at sign-in when its hash was made with other
parameters. Session ids and API tokens are 256-bit random values; only their SHA-256 is
stored, so a database leak yields no live credential.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

if TYPE_CHECKING:
    from app.core.config import Settings

# The defaults of the settings (OWASP's first choice for argon2id).
DEFAULT_TIME_COST = 2
DEFAULT_MEMORY_KIB = 19 * 1024
DEFAULT_PARALLELISM = 1

API_TOKEN_PREFIX = "jxd_"  # noqa: S105 (a public prefix, not a secret)


class _Hasher:
    """An argon2id hasher and its dummy hash, made on first use with the same parameters."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int):
        self.params = (time_cost, memory_kib, parallelism)
        self.argon2 = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy: str | None = None

    @property
    def dummy_hash(self) -> str:
        # Verified against when the user does not exist, so both paths cost one argon2 hash.
        if self._dummy is None:
            self._dummy = self.argon2.hash("jaxdojo-timing-equaliser")
        return self._dummy


_lock = threading.Lock()
_current: _Hasher | None = None


def configure(settings: Settings) -> None:
    """Hash and verify with the argon2 parameters of ``settings`` from now on, in the whole
    process (until then: the defaults). Cheap when they are unchanged."""
    global _current
    params = (
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        settings.password_hash_parallelism,
    )
    with _lock:
        if _current is None or _current.params != params:
            _current = _Hasher(*params)


def _hasher() -> _Hasher:
    global _current
    hasher = _current
    if hasher is None:
        with _lock:
            if _current is None:
                _current = _Hasher(DEFAULT_TIME_COST, DEFAULT_MEMORY_KIB, DEFAULT_PARALLELISM)
            hasher = _current
    return hasher


def hash_password(password: str) -> str:
    return _hasher().argon2.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one argon2 verification."""
    hasher = _hasher()
    try:
        ok = hasher.argon2.verify(password_hash or hasher.dummy_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and bool(password_hash)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the configured ones."""
    return _hasher().argon2.check_needs_rehash(password_hash)


def new_secret_token() -> str:
    """256 bits from the OS CSPRNG, URL-safe."""
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + new_secret_token()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(secret_key: str, seed: str, session_hash: str = "") -> str:
    """The CSRF token for a browser: HMAC of its random seed cookie, bound to its session."""
    msg = f"{seed}:{session_hash}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def csrf_matches(secret_key: str, seed: str, session_hash: str, token: str) -> bool:
    return hmac.compare_digest(csrf_for(secret_key, seed, session_hash), token)
