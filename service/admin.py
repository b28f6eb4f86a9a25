"""Operator commands on the admin (superuser) connection: tenants, users, demo data, and the server."""

from pathlib import Path

import click
import psycopg
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from service import config, passwords
from service.auth import check_password, hash_password
from service.db import NOT_SET_UP, Identity, act_for

ROLES = ("sales", "designer", "production", "qc", "finance", "manager", "admin")
DEMO_SLUG = "demo"
DEMO_NAME = "Demo Print Co"
DEMO_PASSWORD = "pgpsa-demo-password"  # documented in the README; the demo tenant is for local use only
SEED_DIR = Path(__file__).resolve().parent.parent / "db" / "seed"
# What a database that `pgpsa db up` has not set up yet answers.


def admin_connect() -> psycopg.Connection:
    return psycopg.connect(config.admin_database_url())


def _say_why(conn: psycopg.Connection, e: psycopg.Error) -> click.ClickException:
    """The schema's own sentence for a broken constraint (kept as a COMMENT), else the server's message."""
    diag = e.diag
    message = diag.message_primary or str(e)
    if isinstance(e, NOT_SET_UP):
        return click.ClickException(f"The database is not set up ({message}): run `pgpsa db up`.")
    if diag.constraint_name:
        conn.rollback()
        row = conn.execute(
            "select api.constraint_message(%s, %s, %s)",
            (diag.schema_name, diag.table_name, diag.constraint_name),
        ).fetchone()
        message = row[0] or message
    return click.ClickException(message)


def find_tenant(conn, slug: str):
    row = conn.execute("select id from app.tenants where slug = %s", [slug]).fetchone()
    return row[0] if row else None


def find_user(conn, tenant_id, email: str):
    row = conn.execute(
        "select id from app.users where tenant_id = %s and email = %s::extensions.citext", [tenant_id, email]
    ).fetchone()
    return row[0] if row else None


def create_tenant(conn, slug: str, name: str):
    return conn.execute("select internal.create_tenant(%s, %s)", [slug, name]).fetchone()[0]


def create_user(conn, tenant_id, email: str, full_name: str, role: str, password: str):
    passwords.check(password, email)  # the commands say why first; this keeps every other caller to the rule too
    return create_user_hashed(conn, tenant_id, email, full_name, role, hash_password(password))


def create_user_hashed(conn, tenant_id, email: str, full_name: str, role: str, password_hash: str):
    """A user whose password was checked and hashed already (the tests' fixture: one hash for hundreds of users)."""
    return conn.execute(
        "select internal.create_user(%s, %s, %s, %s, %s)", [tenant_id, email, full_name, role, password_hash]
    ).fetchone()[0]


def _require_good_password(password: str, option: str, *context: str) -> None:
    reason = passwords.refusal(password, *context)
    if reason:
        raise click.BadParameter(reason, param_hint=f"'{option}'")


@click.group()
def tenant():
    """Tenants (firms)."""


@tenant.command("create")
@click.option("--slug", required=True, help="short name used at sign-in, e.g. acme")
@click.option("--name", required=True)
@click.option("--admin-email", required=True)
@click.option("--admin-password", required=True)
@click.option("--admin-name", default="Administrator", show_default=True)
@with_appcontext
def tenant_create(slug, name, admin_email, admin_password, admin_name):
    """Create a tenant and its first admin user."""
    _require_good_password(admin_password, "--admin-password", admin_email, slug)
    with admin_connect() as conn:
        try:
            tenant_id = create_tenant(conn, slug, name)
            create_user(conn, tenant_id, admin_email, admin_name, "admin", admin_password)
        except psycopg.Error as e:
            raise _say_why(conn, e) from e
    click.echo(f"tenant {slug} created ({tenant_id}); admin {admin_email}")


@click.group()
def user():
    """Staff users."""


@user.command("create")
@click.option("--tenant", "slug", required=True, help="the tenant's slug")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True)
@with_appcontext
def user_create(slug, email, name, role, password):
    """Create a staff user in a tenant."""
    _require_good_password(password, "--password", email, slug)
    with admin_connect() as conn:
        tenant_id = find_tenant(conn, slug)
        if tenant_id is None:
            raise click.ClickException(f"No tenant with slug {slug}.")
        try:
            user_id = create_user(conn, tenant_id, email, name, role, password)
        except psycopg.Error as e:
            raise _say_why(conn, e) from e
    click.echo(f"user {email} ({role}) created in {slug}: {user_id}")


def act_as_service(conn, role: str, tenant_id, user_id, request_id: str = "") -> None:
    """From the admin connection, act exactly as a request of the service does: its login, a request role, the
    context (tenant, user, request id) and the user's permission cache, for the rest of the transaction. Without the
    cache every policy would ask the tables (what a bound login does), which a request never does."""
    conn.execute("set local session authorization pgpsa_service")
    act_for(conn, role, Identity(str(tenant_id), str(user_id)), request_id)


def _run_seed_files(conn, tenant_id, user_id) -> None:
    # Through the api, as the demo manager under RLS: demo data meets the same rules as real data.
    act_as_service(conn, "pgpsa_staff", tenant_id, user_id, "seed-demo")
    for path in sorted(SEED_DIR.glob("*.sql")):
        conn.execute(path.read_text())
    conn.execute("reset session authorization")


def _keep_demo_password(conn, tenant_id, user_ids) -> None:
    """Demo users made before DEMO_PASSWORD changed get it now, so the README's sign-in works on an old database."""
    row = conn.execute(
        "select password_hash from app.users where tenant_id = %s and id = %s", [tenant_id, user_ids[0]]
    ).fetchone()
    if row and not check_password(row[0], DEMO_PASSWORD):
        conn.execute(
            "update app.users set password_hash = %s where tenant_id = %s and id = any(%s)",
            [hash_password(DEMO_PASSWORD), tenant_id, user_ids],
        )


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo tenant (a user of every role, clients with contacts). Safe to run again."""
    with admin_connect() as conn:
        tenant_id = find_tenant(conn, DEMO_SLUG) or create_tenant(conn, DEMO_SLUG, DEMO_NAME)
        users = {}
        for role in ROLES:
            email = f"{role}@{DEMO_SLUG}.test"
            users[role] = find_user(conn, tenant_id, email) or create_user(
                conn, tenant_id, email, f"Demo {role.title()}", role, DEMO_PASSWORD
            )
        _keep_demo_password(conn, tenant_id, list(users.values()))
        _run_seed_files(conn, tenant_id, users["manager"])
        share, email = _demo_portal(conn, tenant_id, users["manager"])
    click.echo(f"Demo tenant: {DEMO_SLUG} (password for every demo user: {DEMO_PASSWORD})")
    for role in ROLES:
        click.echo(f"  {role:<11} {role}@{DEMO_SLUG}.test")
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"Demo portal for Acme Signs ({email}): {base}/portal/{share}")
    click.echo(f"  or sign in at {base}/portal/sign-in; the code or link is in `pgpsa mail list`, `pgpsa mail show ID`")


_PROOF = b"%PDF-1.4\n% pgpsa demo proof\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _demo_portal(conn, tenant_id, manager_id) -> tuple[str, str]:
    """Acme's proof shared with the client (stored once) and a fresh share link for its accepted order's project:
    returns the link's token (a new one each run: the last printed one is live) and the contact's email."""
    from service.storage import get_storage

    with conn.transaction():
        act_as_service(conn, "pgpsa_staff", tenant_id, manager_id, "seed-demo")
        project, task, email = conn.execute(
            "select p.id, t.id, k.email from api.projects as p"
            " join api.orders as o on o.id = p.order_id join api.clients as c on c.id = o.client_id"
            " join api.contacts as k on k.client_id = c.id and k.is_primary"
            " join api.tasks as t on t.project_id = p.id and t.status = 'in_review'"
            " where c.account_code = 'ACME' and o.quote_id is not null order by t.sequence limit 1").fetchone()
        if not conn.execute("select 1 from api.files where project_id = %s and visibility = 'customer'",
                            [project]).fetchone():
            body = {"file_name": "proof-v1.pdf", "content_type": "application/pdf", "size": len(_PROOF),
                    "task_id": str(task), "visibility": "customer"}
            made = conn.execute("select * from api.create_file(%s, %s)", [project, psycopg.types.json.Jsonb(body)]
                                ).fetchone()
            storage = get_storage()
            storage.put(made[1], _PROOF)
            stored = storage.stat(made[1])
            conn.execute("select api.confirm_file(%s, %s, %s)", [made[0], stored.size, stored.sha256])
        share = conn.execute("select share_token from api.rotate_share_link(%s)", [project]).fetchone()[0]
        conn.execute("reset session authorization")
    return share, str(email)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, help="processes (PGPSA_WORKERS or WEB_CONCURRENCY; default: one per core)")
@click.option("--threads", type=int, help="threads per process (PGPSA_THREADS; default 4)")
@click.option("--graceful-timeout", type=int, help="seconds a worker may finish its requests on SIGTERM (default 30)")
@click.option("--access-log", help="where the access log goes: - (stdout, the default), a file, or off")
@click.option("--dev", is_flag=True, help="Werkzeug's development server instead (one process, no access log)")
@with_appcontext
def serve(host, port, workers, threads, graceful_timeout, access_log, dev):
    """Run the HTTP service: gunicorn, gthread workers (service/server.py)."""
    app = current_app._get_current_object()
    if dev:
        click.echo(f"pgpsa serving on http://{host}:{port}/ (development server)")
        # app.run() refuses to start under the flask CLI; run_simple is what it would call.
        run_simple(host, port, app, threaded=True)
        return
    from service.server import Server, defaults

    given = {"workers": workers, "threads": threads, "graceful_timeout": graceful_timeout, "accesslog": access_log}
    settings = {**defaults(), **{k: v for k, v in given.items() if v is not None}}
    # A connection for every thread of a worker, opened when the worker starts.
    app.config["POOL_MAX_SIZE"] = max(app.config["POOL_MAX_SIZE"], settings["threads"])
    app.config["POOL_MIN_SIZE"] = max(app.config["POOL_MIN_SIZE"], settings["threads"])
    click.echo(
        f"pgpsa serving on http://{host}:{port}/  (health: /healthz, API: /api/v1/openapi.json); "
        f"{settings['workers']} workers x {settings['threads']} threads"
    )
    Server(app, f"{host}:{port}", **settings).run()
