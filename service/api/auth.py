"""The token endpoint and the current user."""

from flask import Blueprint

from service.api.models import Me, Token, TokenRequest
from service.api.registry import operation
from service.auth import check_password, issue_token
from service.db import Identity, transaction
from service.errors import Problem

bp = Blueprint("auth", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/auth/token",
    "POST",
    "Exchange a tenant, email and password for an access token",
    body=TokenRequest,
    response=Token,
    auth=False,
    enveloped=False,
)
def token(body: TokenRequest):
    # The lookup raises PT429 while this tenant and email are throttled.
    with transaction() as conn:
        row = conn.execute("select * from api.login_lookup(%s, %s)", [body.tenant, body.email]).fetchone()
    # Verify outside the transaction: argon2 is slow on purpose and should not hold a pooled connection.
    ok = check_password(row["password_hash"] if row else None, body.password)
    # A separate, committed transaction, so a failure is counted even though the answer is an error.
    with transaction() as conn:
        fn = "api.login_succeeded" if ok else "api.login_failed"
        conn.execute(f"select {fn}(%s, %s)", [body.tenant, body.email])
    if not ok:
        raise Problem(401, "The tenant, email or password is not right.")
    identity = Identity(tenant_id=str(row["tenant_id"]), user_id=str(row["user_id"]))
    # The lookup matched the slug case-insensitively, and slugs are lowercase: this is the tenant's slug.
    access, ttl = issue_token(identity, tenant_slug=body.tenant)
    return Token(access_token=access, expires_in=ttl)


@operation(bp, "/me", "GET", "The signed-in user, with the permissions the database grants", response=Me)
def me(identity: Identity):
    with transaction(identity) as conn:
        row = conn.execute("select * from api.me").fetchone()
    if row is None:
        raise Problem(401, "The user of this token no longer exists or is disabled.")
    return row
