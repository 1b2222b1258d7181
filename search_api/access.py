"""Who may call what: one table for every endpoint, enforced by one dependency.

``public`` endpoints answer anyone, but what they answer depends on the caller: anonymous callers
read the public partition only; auditors and admins read everything, and their reads are audited.
"""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from search_api.accounts import PUBLIC, Accounts, Principal

LEVELS = {"public": 0, "auditor": 1, "admin": 2}

# (method, path template) → the least role that may call it.
ACCESS_RULES: dict[tuple[str, str], str] = {
    ("GET", "/api/health"): "public",
    ("GET", "/api/search"): "public",
    ("GET", "/api/documents/{doc_id}"): "public",
    ("GET", "/api/documents/{doc_id}/file"): "public",
    ("GET", "/api/documents/{doc_id}/pages/{number}.png"): "public",
    ("POST", "/api/token"): "public",
    ("GET", "/api/whoami"): "public",
    ("GET", "/api/cases"): "public",
    ("GET", "/api/cases/{case_id}"): "public",
    ("GET", "/api/contractors/{key}"): "public",
    ("GET", "/api/agencies/{name}"): "public",
    ("POST", "/api/documents/{doc_id}/disclosure"): "admin",
    ("GET", "/api/audit"): "admin",
    ("GET", "/api/export"): "auditor",
    ("GET", "/api/saved-searches"): "auditor",
    ("POST", "/api/saved-searches"): "auditor",
    ("DELETE", "/api/saved-searches/{search_id}"): "auditor",
    ("GET", "/api/alerts"): "auditor",
    ("GET", "/api/glossary"): "public",
    ("GET", "/api/flags"): "public",
    ("POST", "/api/flags/{flag_id}/dismiss"): "auditor",
    # web pages (signed in by session cookie; refused pages redirect to /signin)
    ("GET", "/"): "public",
    ("GET", "/documents/{doc_id}"): "public",
    ("GET", "/cases"): "public",
    ("GET", "/cases/{case_id}"): "public",
    ("GET", "/contractors/{key}"): "public",
    ("GET", "/agencies/{name}"): "public",
    ("GET", "/glossary"): "public",
    ("GET", "/signin"): "public",
    ("POST", "/signin"): "public",
    ("POST", "/signout"): "public",
    ("GET", "/export"): "auditor",
    ("GET", "/saved"): "auditor",
    ("POST", "/saved"): "auditor",
    ("POST", "/saved/{search_id}/delete"): "auditor",
    ("GET", "/operator"): "admin",
}


def principal_of(request: Request) -> Principal:
    """The caller, from an ``Authorization: Bearer`` token or API key; anonymous otherwise.
    A credential that does not resolve is refused (401), never silently downgraded."""
    header = request.headers.get("authorization", "")
    if not header:
        return PUBLIC
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise HTTPException(401, "use 'Authorization: Bearer <token or API key>'",
                            headers={"WWW-Authenticate": "Bearer"})
    accounts: Accounts = request.app.state.accounts
    who = accounts.resolve(secret.strip())
    if who is None:
        raise HTTPException(401, "the token or API key is not valid (expired or revoked)",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


# Declares the OAuth2 password flow in the OpenAPI schema (the Authorize button of /docs);
# the credential itself is read by principal_of, which also accepts API keys.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


def required_role(request: Request) -> str:
    """The ACCESS_RULES row of the matched route (API or page); 403 for a route without one."""
    route = request.scope.get("route")
    needed = ACCESS_RULES.get((request.method, getattr(route, "path", "")))
    if needed is None:
        raise HTTPException(403, "this endpoint has no access rule")
    return needed


def enforce_access(request: Request, _token: str | None = Depends(oauth2_scheme)) -> None:
    """Router dependency: look the matched route up in ACCESS_RULES and refuse if needed."""
    needed = required_role(request)
    who = principal_of(request)
    request.state.principal = who
    if LEVELS[who.role] < LEVELS[needed]:
        if who.role == "public":
            raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
        raise HTTPException(403, f"this needs the {needed} role")
