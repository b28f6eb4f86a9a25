"""`pgpsa app-login` and `pgpsa bi-login`: database logins for other programs, each bound to one tenant.

An app login (another application) reads the api views and calls the api functions as a user of role `app` holding
exactly the permissions given; a BI login reads the `bi` views. The database binds each to its tenant by the
login's own name (db/functions/0100_context.sql), so whatever the program SETs, it acts in that tenant only.
The password is generated here, shown once, and kept nowhere but in PostgreSQL (as a SCRAM verifier).
"""

import secrets
from urllib.parse import quote

import click
import psycopg
from flask.cli import with_appcontext
from psycopg.conninfo import conninfo_to_dict

from service import config
from service.admin import _say_why, admin_connect, find_tenant


def _connection_url(login: str, password: str) -> str:
    """The admin URL's server and database, with the new login: what the other program connects with."""
    params = conninfo_to_dict(config.admin_database_url())
    host, port, dbname = params.get("host", "localhost"), params.get("port", "5432"), params.get("dbname", "")
    return f"postgresql://{quote(login)}:{quote(password)}@{host}:{port}/{quote(dbname)}"


def _create(kind: str, slug: str, name: str, permissions: tuple[str, ...]) -> tuple[str, str]:
    password = secrets.token_urlsafe(24)
    with admin_connect() as conn:
        tenant_id = find_tenant(conn, slug)
        if tenant_id is None:
            raise click.ClickException(f"No tenant with slug {slug}.")
        try:
            login = conn.execute(
                "select internal.create_db_login(%s, %s, %s, %s, %s)",
                [kind, tenant_id, name, password, list(permissions)],
            ).fetchone()[0]
        except psycopg.Error as e:
            raise _say_why(conn, e) from e
    return login, password


def _revoke(kind: str, slug: str, name: str) -> str:
    with admin_connect() as conn:
        tenant_id = find_tenant(conn, slug)
        if tenant_id is None:
            raise click.ClickException(f"No tenant with slug {slug}.")
        login = f"{kind}_{str(tenant_id).replace('-', '')}_{name}"
        try:
            conn.execute("select internal.revoke_db_login(%s)", [login])
        except psycopg.Error as e:
            raise _say_why(conn, e) from e
    return login


def _show(login: str, password: str, what: str) -> None:
    click.echo(f"{what} login {login} created. Its password is shown this once; keep it in your secret store:")
    click.echo(_connection_url(login, password))


_TENANT = click.option("--tenant", "slug", required=True, help="the tenant's slug")
_NAME = click.option("--name", required=True, help="1 to 26 lowercase letters or digits, e.g. zapier")


@click.group("app-login")
def app_login():
    """Logins for other applications: the api views and functions, a fixed permission set, one tenant."""


@app_login.command("create")
@_TENANT
@_NAME
@click.option("--permission", "permissions", multiple=True, required=True, help="e.g. clients:read (repeatable)")
@with_appcontext
def app_login_create(slug, name, permissions):
    """Create an app login and print its connection URL (with a generated password, shown once)."""
    _show(*_create("app", slug, name, permissions), "App")


@app_login.command("revoke")
@_TENANT
@_NAME
@with_appcontext
def app_login_revoke(slug, name):
    """End an app login: its sessions, its role, its permissions (its history stays)."""
    click.echo(f"app login {_revoke('app', slug, name)} revoked")


@click.group("bi-login")
def bi_login():
    """Read-only logins for BI tools: the bi views of one tenant."""


@bi_login.command("create")
@_TENANT
@_NAME
@with_appcontext
def bi_login_create(slug, name):
    """Create a BI login and print its connection URL (with a generated password, shown once)."""
    _show(*_create("bi", slug, name, ()), "BI")


@bi_login.command("revoke")
@_TENANT
@_NAME
@with_appcontext
def bi_login_revoke(slug, name):
    """End a BI login and its sessions."""
    click.echo(f"BI login {_revoke('bi', slug, name)} revoked")
