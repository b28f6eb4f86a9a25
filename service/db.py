"""One connection pool; one transaction per request with the request context set transaction-locally."""

import functools
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import psycopg
from flask import current_app, g, request
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from service import config

# The request roles the service's login may become (db/bootstrap.sql): one per trust level.
ANON_ROLE = "pgpsa_anon"  # before sign-in: the token endpoint, an approval decided by its token
STAFF_ROLE = "pgpsa_staff"  # a signed-in user
WEBHOOK_ROLE = "pgpsa_webhook"  # Stripe's signed events
PORTAL_ROLE = "pgpsa_portal"  # a client contact's portal session
# What a database `pgpsa db up` has not set up answers (the CLI says so in one line).
NOT_SET_UP = (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName)
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
                # A connection is looked at before a request gets it, so one the server closed (a restart, a
                # failover) is replaced, not handed out; attempts to connect while the server is away give up after
                # POOL_RECONNECT_TIMEOUT and start afresh on the next request, so service comes back within
                # seconds of the database (README "When PostgreSQL restarts").
                check=check_idle,
                reconnect_timeout=cfg["POOL_RECONNECT_TIMEOUT"],
                configure=_configure(cfg["PLAN_CACHE_MODE"]),
                kwargs={
                    "row_factory": dict_row,
                    "autocommit": True,  # transaction() sends BEGIN and COMMIT itself
                    "connect_timeout": max(2, int(cfg["POOL_TIMEOUT"])),
                },
                open=False,
                name="pgpsa",
            )
            pool.open(wait=False)
            current_app.extensions[_KEY] = pool
    return pool


def check_idle(conn: psycopg.Connection) -> None:
    """The pool's check before a checkout, without a round trip while nothing says the connection is gone.

    An idle connection's socket has nothing to read unless the server wrote to it: a restart's or an idle timeout's
    termination message and the close after it, or a notice. Only then is it tried with an empty query, which raises
    for a closed one (the pool then discards it and takes another). psycopg_pool's own check sends that query before
    every checkout: a round trip a request, 4 % of GET /projects/{id}'s Python (make bench-api with PROFILE). A
    connection dropped with no word from the server (a cut network) fails its request instead: a 503, and the pool
    discards it when it comes back broken."""
    if _server_wrote(conn):
        ConnectionPool.check_connection(conn)


async def check_idle_async(conn: psycopg.AsyncConnection) -> None:
    """check_idle for an asyncio pool (the worker's queue connections, procrastinate's)."""
    if _server_wrote(conn):
        await AsyncConnectionPool.check_connection(conn)


def _server_wrote(conn: psycopg.Connection | psycopg.AsyncConnection) -> bool:
    if conn.closed:
        raise psycopg.OperationalError("the connection is closed")
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _configure(plan_cache_mode: str):
    """Each new connection plans its prepared statements once (plan_cache_mode, PGPSA_PLAN_CACHE_MODE; auto is
    PostgreSQL's default). psycopg prepares a query the fifth time it is sent, but PostgreSQL then re-plans it at every
    execution while a generic plan looks costlier than the custom ones, and it counts planning as nearly free: a read
    of the api views (nested views, RLS policies) takes milliseconds to plan and a fraction of one to run, and each
    GET /projects/{id} planned all four of its reads again. The tenant and user are settings, not parameters, so a
    generic plan of a read by key or parent is the custom one; bench-api measured 1.6-1.7x the requests/s."""

    def configure(conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("set plan_cache_mode = {}").format(sql.Literal(plan_cache_mode)))

    return configure


def close_pool(app) -> None:
    pool = app.extensions.pop(_KEY, None)
    if pool is not None:
        pool.close()


def context(
    role: str, identity: "Identity | PortalIdentity | None" = None, request_id: str = "", ip: str = ""
) -> list[sql.Composable | bytes]:
    """The statements that say who a request acts for, for the rest of its transaction.

    SET LOCAL (not set_config) because Citus propagates it to the workers (citus.propagate_set_commands = local);
    it ends with the transaction, so nothing leaks to the next checkout. SET takes no bind parameters, so values go
    in as literals. The role comes last: the service's login may set the rest, and only then becomes the role."""
    settings = {"pgpsa.ip": ip}
    if isinstance(identity, PortalIdentity):
        settings |= {
            "pgpsa.tenant_id": identity.tenant_id, "pgpsa.client_id": identity.client_id,
            "pgpsa.contact_id": identity.contact_id, "pgpsa.portal_session_id": identity.session_id,
            "pgpsa.project_id": identity.project_id or "",
        }
    elif identity is not None:
        settings["pgpsa.tenant_id"] = identity.tenant_id
        settings["pgpsa.user_id"] = identity.user_id
    return [
        sql.SQL("set local pgpsa.request_id = {}").format(sql.Literal(str(request_id))),
        *(set_local(name, str(value)) for name, value in settings.items()),
        set_role(role),
    ]


@functools.lru_cache(maxsize=4096)
def set_local(name: str, value: str) -> bytes:
    """A setting's statement, made once for each value: a caller's tenant, user and address repeat from request to
    request (the request id does not, and is made each time). Composing them for every request took about 5 % of a
    GET /projects/{id}'s Python."""
    return sql.SQL("set local {} = {}").format(sql.SQL(name), sql.Literal(value)).as_bytes(None)


@functools.lru_cache(maxsize=16)
def set_role(role: str) -> bytes:
    return sql.SQL("set local role {}").format(sql.Identifier(role)).as_bytes(None)


# A signed-in request's permissions (pgpsa.permissions, so policies skip the lookup), or PT401 when the token's
# user is gone or disabled; it aborts whatever was sent after it (db/functions/0500_identity.sql).
BEGIN_REQUEST = "select api.begin_request()"


def act_for(
    conn, role: str, identity: "Identity | PortalIdentity | None" = None, request_id: str = "", ip: str = ""
) -> None:
    """Sends a request's context on conn's open transaction, as transaction() does (the benchmarks use it too)."""
    for statement in context(role, identity, request_id, ip):
        conn.execute(statement)
    if isinstance(identity, PortalIdentity):
        conn.execute("select portal.check_session()")  # a revoked or expired session ends here (401)
    elif identity is not None:
        conn.execute(BEGIN_REQUEST)


@contextmanager
def transaction(
    identity: "Identity | PortalIdentity | None" = None, role: str | None = None
) -> Iterator[psycopg.Connection]:
    """A request's single transaction: as staff of the identity's tenant, as a portal session's contact, or (no
    identity) as the pre-sign-in role, or as the role named (the webhook).

    In pipeline mode, with BEGIN and COMMIT sent as statements (the pool's connections are in autocommit, so
    psycopg adds no round trip of its own around them): BEGIN, the context and the permissions go out with the
    request's first query, in one round trip, and a read whose results are fetched after the block (surface.serve)
    shares that round trip with the COMMIT too. Anything raised rolls the transaction back."""
    portal = isinstance(identity, PortalIdentity)
    role = role or (PORTAL_ROLE if portal else STAFF_ROLE if identity is not None else ANON_ROLE)
    with get_pool().connection() as conn:
        try:
            with conn.pipeline():
                conn.execute("begin")
                act_for(conn, role, identity, g.get("request_id", ""), request.remote_addr or "")
                yield conn
                conn.execute("commit")
        except BaseException as e:
            with suppress(psycopg.Error):  # a broken connection is discarded by the pool
                conn.rollback()
            if isinstance(e, psycopg.Error) and e.sqlstate == "PT401" and not portal:  # a portal session says why
                raise UserGone() from e
            raise
