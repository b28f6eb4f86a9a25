"""One connection pool; one transaction per request with the request context set transaction-locally."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from flask import current_app, g, request
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from service import config

# The request roles the service's login may become (db/bootstrap.sql): one per trust level.
ANON_ROLE = "pgpsa_anon"  # before sign-in: the token endpoint, an approval decided by its token
STAFF_ROLE = "pgpsa_staff"  # a signed-in user
WEBHOOK_ROLE = "pgpsa_webhook"  # Stripe's signed events
PORTAL_ROLE = "pgpsa_portal"  # a client contact's portal session
_KEY = "pgpsa_pool"
_CREATING = threading.Lock()  # the threaded server may see its first requests at the same time


@dataclass(frozen=True)
class Identity:
    tenant_id: str
    user_id: str


@dataclass(frozen=True)
class PortalIdentity:
    """A client contact's portal session: its tenant, client, contact, and (from a share link) project."""

    tenant_id: str
    client_id: str
    contact_id: str
    session_id: str
    project_id: str | None = None


class UserGone(Exception):
    """The token's user no longer exists or is disabled: the token is worth nothing (401)."""


def get_pool() -> ConnectionPool:
    """The app's pool, opened on first use: CLI commands that never touch it (db up) need no service role."""
    with _CREATING:
        pool = current_app.extensions.get(_KEY)
        if pool is None:
            cfg = current_app.config
            pool = ConnectionPool(
                cfg.get("SERVICE_DATABASE_URL") or config.service_database_url(),
                min_size=cfg["POOL_MIN_SIZE"],
                max_size=cfg["POOL_MAX_SIZE"],
                timeout=cfg["POOL_TIMEOUT"],
                # A connection is tried before a request gets it, so one the server closed (a restart, a failover)
                # is replaced, not handed out; attempts to connect while the server is away give up after
                # POOL_RECONNECT_TIMEOUT and start afresh on the next request, so service comes back within
                # seconds of the database (README "When PostgreSQL restarts").
                check=ConnectionPool.check_connection,
                reconnect_timeout=cfg["POOL_RECONNECT_TIMEOUT"],
                kwargs={"row_factory": dict_row, "connect_timeout": max(2, int(cfg["POOL_TIMEOUT"]))},
                open=False,
                name="pgpsa",
            )
            pool.open(wait=False)
            current_app.extensions[_KEY] = pool
    return pool


def close_pool(app) -> None:
    pool = app.extensions.pop(_KEY, None)
    if pool is not None:
        pool.close()


def _context(identity: "Identity | PortalIdentity | None", role: str) -> sql.Composed:
    # SET takes no bind parameters, so values go in as literals. SET LOCAL (not set_config) because Citus
    # propagates it to the workers; it ends with the transaction, so nothing leaks to the next checkout.
    settings = {"pgpsa.request_id": g.get("request_id", ""), "pgpsa.ip": request.remote_addr or ""}
    if isinstance(identity, PortalIdentity):
        settings |= {
            "pgpsa.tenant_id": identity.tenant_id, "pgpsa.client_id": identity.client_id,
            "pgpsa.contact_id": identity.contact_id, "pgpsa.portal_session_id": identity.session_id,
            "pgpsa.project_id": identity.project_id or "",
        }
    elif identity is not None:
        settings["pgpsa.tenant_id"] = identity.tenant_id
        settings["pgpsa.user_id"] = identity.user_id
    parts = [
        sql.SQL("set local {} = {}").format(sql.SQL(name), sql.Literal(str(value)))
        for name, value in settings.items()
    ]
    parts.append(sql.SQL("set local role {}").format(sql.Identifier(role)))
    return sql.SQL("; ").join(parts)


@contextmanager
def transaction(identity: Identity | None = None, role: str | None = None) -> Iterator[psycopg.Connection]:
    """A request's single transaction: as staff of the identity's tenant, or (no identity) as the pre-sign-in
    role, or as the role named (the webhook)."""
    portal = isinstance(identity, PortalIdentity)
    role = role or (PORTAL_ROLE if portal else STAFF_ROLE if identity is not None else ANON_ROLE)
    with get_pool().connection() as conn, conn.transaction():
        conn.execute(_context(identity, role))
        if portal:
            conn.execute("select portal.check_session()")  # a revoked or expired session ends here (401)
        elif identity is not None:
            # The user's permissions, computed once per transaction, so policies skip the lookup per row.
            cache = conn.execute("select api.permission_cache() as c").fetchone()["c"]
            if cache is None:
                raise UserGone()
            conn.execute(sql.SQL("set local pgpsa.permissions = {}").format(sql.Literal(cache)))
        yield conn
