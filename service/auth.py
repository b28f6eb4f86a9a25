"""Passwords (argon2) and bearer access tokens (JWT HS256)."""

import functools
import time
import uuid
from types import MappingProxyType
from typing import Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, request
from pydantic import Field

from service.db import Identity, transaction
from service.errors import Problem
from service.wire import ApiModel, InModel, Text

ALGORITHM = "HS256"
_BEARER = 'Bearer realm="pgpsa"'
TENANT_HEADER = "X-Tenant"


class TokenRequest(InModel):
    # Bounded, so a huge value is refused here, the same for every account, before it reaches the throttle's keys.
    tenant: Text = Field(description="the tenant's slug", max_length=63)
    email: Text = Field(max_length=320)
    password: Text = Field(max_length=1024)


class Token(ApiModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


def init_app(app: Flask) -> None:
    hasher = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"], memory_cost=app.config["ARGON2_MEMORY_COST"]
    )
    app.extensions["pgpsa_hasher"] = hasher
    # Unknown emails are verified against this, so they cost the same time as a wrong password.
    app.extensions["pgpsa_dummy_hash"] = hasher.hash(uuid.uuid4().hex)


def hasher() -> PasswordHasher:
    return current_app.extensions["pgpsa_hasher"]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Always runs one verification, whether or not the user exists."""
    try:
        return hasher().verify(password_hash or current_app.extensions["pgpsa_dummy_hash"], password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def issue_token(identity: Identity, tenant_slug: str | None = None) -> tuple[str, int]:
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    now = int(time.time())
    claims = {
        "sub": identity.user_id,
        "tid": identity.tenant_id,
        # The slug, so an X-Tenant header can name the tenant as people do; tokens without it still work.
        **({"tsl": tenant_slug.lower()} if tenant_slug else {}),
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM), ttl


@functools.lru_cache(maxsize=4096)
def _verified(token: str, key: str, audience: str | None, required: tuple[str, ...]) -> MappingProxyType:
    return MappingProxyType(jwt.decode(token, key, algorithms=[ALGORITHM], audience=audience,
                                       options={"require": list(required)}))


def verified_claims(token: str, audience: str | None = None, required: tuple[str, ...] = ("exp",)) -> dict:
    """A token's claims, as jwt.decode gives them with the app's key, or jwt's error. Its signature and claims are
    checked at its first use and remembered (only a token that passed is: the service signed it); its expiry at
    every use. PyJWT's checks were a tenth of a GET /clients's Python, for a token sent again and again."""
    assert "exp" in required, "a remembered token must still expire"
    claims = _verified(token, current_app.config["SECRET_KEY"], audience, required)
    if int(claims["exp"]) <= time.time():  # jwt's own test, passed at the first use, so exp is a number
        raise jwt.ExpiredSignatureError("Signature has expired")
    return dict(claims)


def _unauthorized(detail: str, error: str | None = "invalid_token") -> Problem:
    challenge = _BEARER + (f', error="{error}"' if error else "")
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def authenticate() -> Identity:
    """The identity in the request's bearer token, or a 401 problem."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("A bearer token is required.", error=None)
    try:
        claims = verified_claims(token.strip(), required=("exp", "sub", "tid"))
        identity = Identity(tenant_id=str(uuid.UUID(claims["tid"])), user_id=str(uuid.UUID(claims["sub"])))
    except jwt.ExpiredSignatureError as e:
        raise _unauthorized("The access token has expired.") from e
    except (jwt.InvalidTokenError, ValueError, TypeError, AttributeError) as e:
        raise _unauthorized("The access token is not valid.") from e
    _check_tenant_header(identity.tenant_id, claims.get("tsl"))
    return identity


def _check_tenant_header(tenant_id: str, slug) -> None:
    """Seed 003 §2.1: an X-Tenant header (the tenant's slug, any case, or its id) must name the token's tenant."""
    named = request.headers.get(TENANT_HEADER, "").strip()
    if not named:
        return
    slug = slug if isinstance(slug, str) else None
    try:
        same = str(uuid.UUID(named)) == tenant_id
    except ValueError:
        same = slug is not None and named.lower() == slug
    if same:
        return
    hint = "Send the token's own tenant (its slug or id), or leave the header out."
    if slug is None:
        hint = "This token predates slugs in tokens, so only the tenant id matches it; or sign in again."
    detail = f"The {TENANT_HEADER} header names tenant {named[:63]}, but the access token is for tenant "
    raise Problem(400, detail + f"{slug or tenant_id}.", hint=hint)


def sign_in(tenant: str, email: str, password: str) -> tuple[str, int]:
    """An access token for the tenant's user with this email and password, or a 401 (throttled: 429)."""
    # The lookup raises PT429 while this tenant and email are throttled.
    with transaction() as conn:
        row = conn.execute("select * from api.login_lookup(%s, %s)", [tenant, email]).fetchone()
    # Verified outside the transaction: argon2 is slow on purpose and should not hold a pooled connection.
    ok = check_password(row["password_hash"] if row else None, password)
    # A separate, committed transaction, so a failure is counted even though the answer is an error.
    with transaction() as conn:
        conn.execute(f"select api.login_{'succeeded' if ok else 'failed'}(%s, %s)", [tenant, email])
    if not ok:
        raise Problem(401, "The tenant, email or password is not right.")
    # The lookup matched the slug case-insensitively, and slugs are lowercase: this is the tenant's slug.
    return issue_token(Identity(str(row["tenant_id"]), str(row["user_id"])), tenant_slug=tenant)
