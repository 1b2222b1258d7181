"""Accounts, API keys and bearer tokens (SQLite in the data dir; argon2 password hashes).

Roles: ``auditor`` and ``admin`` (the public needs no account). Tokens and keys are random
secrets stored only as SHA-256 digests and compared in constant time by lookup of the digest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROLES = ("auditor", "admin")
TOKEN_HOURS = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, expires_at TEXT
);
"""


@dataclass(frozen=True)
class Principal:
    """Who is asking. ``name`` is None for the anonymous public."""

    name: str | None
    role: str  # public | auditor | admin

    @property
    def audience(self) -> str:
        return "auditor" if self.role in ROLES else "public"


PUBLIC = Principal(None, "public")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


class AccountError(Exception):
    pass


class Accounts:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _conn(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.executescript(SCHEMA)
        return conn

    @staticmethod
    def _hasher():  # noqa: ANN205
        from argon2 import PasswordHasher

        return PasswordHasher()

    def add_user(self, name: str, role: str, password: str) -> None:
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 12:
            raise AccountError("passwords need at least 12 characters")
        with self._conn() as conn:
            conn.execute("INSERT OR REPLACE INTO users VALUES (?,?,?,?)",
                         (name, role, self._hasher().hash(password), _now().isoformat()))

    def authenticate(self, name: str, password: str) -> Principal | None:
        from argon2.exceptions import VerificationError, VerifyMismatchError

        with self._conn() as conn:
            row = conn.execute("SELECT role, password_hash FROM users WHERE name=?",
                               (name,)).fetchone()
        hasher = self._hasher()
        if row is None:
            try:  # same work for unknown users: no timing difference
                hasher.verify(hasher.hash("x" * 12), "y" * 12)
            except VerificationError:
                pass
            return None
        try:
            hasher.verify(row[1], password)
        except (VerifyMismatchError, VerificationError):
            return None
        return Principal(name, row[0])

    def issue(self, name: str, kind: str = "token") -> str:
        """A new bearer token (expires) or API key (does not); returned once, stored hashed."""
        secret = ("iak_" if kind == "api_key" else "iat_") + secrets.token_urlsafe(32)
        expires = None if kind == "api_key" else (_now() + timedelta(hours=TOKEN_HOURS)).isoformat()
        with self._conn() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone() is None:
                raise AccountError(f"no user {name!r}")
            conn.execute("INSERT INTO secrets VALUES (?,?,?,?)", (_digest(secret), name, kind, expires))
        return secret

    def resolve(self, secret: str) -> Principal | None:
        digest = _digest(secret)
        with self._conn() as conn:
            row = conn.execute(
                "SELECT u.name, u.role, s.expires_at, s.digest FROM secrets s "
                "JOIN users u ON u.name = s.name WHERE s.digest=?", (digest,)).fetchone()
        # The lookup compares digests, never the secret itself; the found digest is compared
        # again in constant time, so no code path compares secret material with ==.
        if row is None or not hmac.compare_digest(row[3], digest):
            return None
        if row[2] and datetime.fromisoformat(row[2]) < _now():
            return None
        return Principal(row[0], row[1])

    def revoke(self, secret: str) -> None:
        """Forget a token or key (sign-out); unknown secrets are ignored."""
        with self._conn() as conn:
            conn.execute("DELETE FROM secrets WHERE digest=?", (_digest(secret),))
