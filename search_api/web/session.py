"""Who is browsing: the auditor session cookie, CSRF tokens for forms, and the page access check.

A signed-in auditor's browser holds the same bearer token the API issues (HttpOnly, SameSite=Lax
cookie); forms carry a double-submit CSRF token compared in constant time. Page access comes from
the same ACCESS_RULES table as the API.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import HTTPException, Request

from search_api.access import LEVELS, required_role
from search_api.accounts import PUBLIC, TOKEN_HOURS, Principal

SESSION_COOKIE = "archive_session"
CSRF_COOKIE = "archive_csrf"
CSRF_FIELD = "csrf"


class SignInRequired(Exception):
    """The page needs a role the browser has not signed in with; redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.location = "/signin?next=" + quote(next_url, safe="")


class CsrfFailure(Exception):
    """A form came back without the token this browser was given."""


def browser_principal(request: Request) -> Principal:
    """The signed-in auditor or admin of this browser; anonymous for no, expired or revoked
    sessions (a stale cookie is never an error: the page simply shows public material)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 200:
        return PUBLIC
    return request.app.state.accounts.resolve(token) or PUBLIC


def web_access(request: Request) -> None:
    """Router dependency of the pages: the ACCESS_RULES row of the matched page."""
    needed = required_role(request)
    who = browser_principal(request)
    request.state.principal = who
    if LEVELS[who.role] < LEVELS[needed]:
        if who.role == "public":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        raise HTTPException(403, f"this page needs the {needed} role")


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (a new one if it has none; ``remember_csrf`` stores it)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) < 32 or len(token) > 100:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response) -> None:  # noqa: ANN001
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")


def check_csrf(request: Request, submitted: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not submitted or not hmac.compare_digest(
            expected.encode("utf-8"), submitted.encode("utf-8")):
        raise CsrfFailure("the form expired or came from another site; reload the page and retry")


def set_session(request: Request, response, token: str) -> None:  # noqa: ANN001
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=TOKEN_HOURS * 3600, path="/")


def clear_session(response) -> None:  # noqa: ANN001
    response.delete_cookie(SESSION_COOKIE, path="/")


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in; anything else (other sites) becomes /."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(ch) < 32 for ch in target):
        return "/"
    return target
