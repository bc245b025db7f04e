"""Passwords, random tokens and CSRF tokens.

Passwords: argon2id with OWASP's parameters (t=2, m=19 MiB, p=1; ASVS 5.0 appendix C),
rehashed on sign-in when the parameters change. Session ids and API tokens are 256-bit
random values; only their SHA-256 is stored, so a database leak yields no live credential.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the user does not exist, so both paths cost one argon2 hash.
_DUMMY_HASH = _hasher.hash("jaxdojo-timing-equaliser")

API_TOKEN_PREFIX = "jxd_"  # noqa: S105 (a public prefix, not a secret)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
