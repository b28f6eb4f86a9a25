"""Passwords (argon2) and bearer access tokens (JWT HS256)."""

import time
import uuid

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, request

from service.db import Identity
from service.errors import Problem

ALGORITHM = "HS256"
_BEARER = 'Bearer realm="pgpsa"'


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


def issue_token(identity: Identity) -> tuple[str, int]:
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    now = int(time.time())
    claims = {
        "sub": identity.user_id,
        "tid": identity.tenant_id,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM), ttl


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
        claims = jwt.decode(
            token.strip(),
            current_app.config["SECRET_KEY"],
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "tid"]},
        )
        return Identity(tenant_id=str(uuid.UUID(claims["tid"])), user_id=str(uuid.UUID(claims["sub"])))
    except jwt.ExpiredSignatureError as e:
        raise _unauthorized("The access token has expired.") from e
    except (jwt.InvalidTokenError, ValueError, TypeError, AttributeError) as e:
        raise _unauthorized("The access token is not valid.") from e
