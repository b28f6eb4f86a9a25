"""Portal sessions as the service carries them: a token with its own audience (a staff token is refused here, and a
portal token by the team API), naming the database's session row, sent as a bearer header or an HttpOnly, Secure,
SameSite cookie. A write authenticated by the cookie needs the session's CSRF token too (header or form field).
Whether the session still holds (revoked, expired) is the database's answer: portal.check_session()."""

import hmac
import secrets
import time
import uuid

import jwt
from flask import current_app, request

from service.auth import ALGORITHM, verified_claims
from service.db import PortalIdentity
from service.errors import Problem

AUDIENCE = "pgpsa-portal"
COOKIE = "pgpsa_portal"
CSRF_HEADER = "X-CSRF-Token"
_SAFE = {"GET", "HEAD", "OPTIONS"}


def issue(session: dict) -> tuple[str, str, int]:
    """A signed portal token for a session row of portal.verify_code / exchange_magic_link: (token, csrf, ttl)."""
    expires = int(session["expires_at"].timestamp())
    csrf = secrets.token_urlsafe(24)
    claims = {
        "aud": AUDIENCE, "sub": str(session["contact_id"]), "tid": str(session["tenant_id"]),
        "cid": str(session["client_id"]), "sid": str(session["session_id"]),
        "pid": str(session["project_id"]) if session["project_id"] else None,
        "csrf": csrf, "iat": int(time.time()), "exp": expires,
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM), csrf, expires - int(time.time())


def set_cookie(response, token: str, ttl: int):
    response.set_cookie(COOKIE, token, max_age=ttl, httponly=True, secure=current_app.config["PORTAL_SECURE_COOKIE"],
                        samesite="Lax", path="/portal")
    return response


def clear_cookie(response):
    """The cookie removed with the attributes it was set with: a browser keeps a Secure cookie that a plain
    Set-Cookie tries to overwrite (Chromium's strict secure cookies)."""
    response.delete_cookie(COOKIE, path="/portal", secure=current_app.config["PORTAL_SECURE_COOKIE"], httponly=True,
                           samesite="Lax")
    return response


def _token() -> tuple[str | None, bool]:
    """The token, and whether it came from the cookie (so a write needs the CSRF token)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    return request.cookies.get(COOKIE), True


def claims(required: bool = True, csrf: bool = True) -> dict | None:
    """The session token's claims; a write authenticated by the cookie must bring the CSRF token too (csrf=False:
    only to show a page, never to act)."""
    token, from_cookie = _token()
    if not token:
        if required:
            raise Problem(401, "Sign in to the portal first.", headers={"WWW-Authenticate": 'Bearer realm="portal"'})
        return None
    try:
        found = verified_claims(token, audience=AUDIENCE, required=("exp", "sub", "tid", "cid", "sid", "csrf"))
        for key in ("sub", "tid", "cid", "sid"):
            uuid.UUID(found[key])
    except jwt.ExpiredSignatureError as e:
        raise Problem(401, "Your portal session has expired: sign in again.") from e
    except (jwt.InvalidTokenError, ValueError, TypeError, AttributeError) as e:
        raise Problem(401, "This is not a portal session: sign in to the portal.") from e
    if csrf and from_cookie and request.method not in _SAFE:
        sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token") or ""
        if not hmac.compare_digest(sent.encode(), str(found["csrf"]).encode()):  # str compare refuses non-ASCII
            raise Problem(403, "This form has expired or did not come from the portal: reload the page and try again.")
    return found


def identity(required: bool = True) -> PortalIdentity | None:
    found = claims(required)
    if found is None:
        return None
    return PortalIdentity(tenant_id=found["tid"], client_id=found["cid"], contact_id=found["sub"],
                          session_id=found["sid"], project_id=found.get("pid"))


def csrf_token() -> str | None:
    found = claims(required=False)
    return found["csrf"] if found else None
