"""`pgpsa db up|status|reset`: bootstrap, yoyo migrations, repeatable SQL files, on DATABASE_URL (else the
embedded cluster's database)."""

import importlib.metadata
import os
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import click
import psycopg
from psycopg import sql
from yoyo import get_backend, read_migrations

from service import config

# PGPSA_DB_DIR lets a test point the runner at throwaway SQL.
DB_DIR = Path(os.environ.get("PGPSA_DB_DIR") or Path(__file__).resolve().parent.parent / "db")
# Re-applied in this order after the migrations: policies last, so the doors file (db/policies/9000_doors.sql)
# sees every function and view it hands to a door.
REPEATABLE = ("functions", "views", "policies")
OWNER = "pgpsa_owner"
DOORS = ("pgpsa_door_api", "pgpsa_door_bi")


def admin_url() -> str:
    return config.admin_database_url()


def owner_yoyo_url(url: str) -> str:
    """The admin URL for yoyo, acting as the owner role from the first statement, so it owns all it makes."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"{query.get('options', '')} -c role={OWNER}".strip()
    return urlunsplit(parts._replace(scheme="postgresql+psycopg", query=urlencode(query)))


def _fail(path: Path | str, err: psycopg.Error) -> NoReturn:
    """Say which file broke and where, then exit non-zero."""
    name = path.relative_to(DB_DIR.parent) if isinstance(path, Path) else path
    diag = err.diag
    where = ""
    if isinstance(path, Path) and diag.statement_position:
        # The position counts characters in the whole file, sent as one query.
        where = f":{path.read_text()[: int(diag.statement_position)].count(chr(10)) + 1}"
    lines = [f"db up: {name}{where}: {diag.sqlstate or ''} {diag.message_primary or err}".rstrip()]
    extra = {"detail": diag.message_detail, "hint": diag.message_hint, "context": diag.context}
    lines += [f"  {label}: {text}" for label, text in extra.items() if text]
    click.echo("\n".join(lines), err=True)
    sys.exit(1)


def _sql_files(folder: str) -> list[Path]:
    return sorted((DB_DIR / folder).glob("*.sql"))


def bootstrap(url: str) -> None:
    path = DB_DIR / "bootstrap.sql"
    try:
        with psycopg.connect(url) as conn:  # one transaction, committed on exit
            conn.execute(path.read_text())
    except psycopg.Error as err:
        _fail(path, err)
    click.echo(f"bootstrap: {path.relative_to(DB_DIR.parent)}")


def apply_queue_schema(url: str) -> None:
    """procrastinate's schema, in its own schema `queue`, owned by the owner: made once, then upgraded by
    procrastinate's own migration files, newer than the version recorded on the schema."""
    import procrastinate

    sql_dir = Path(procrastinate.__file__).parent / "sql"
    version = importlib.metadata.version("procrastinate")
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(OWNER)))
        conn.execute("create schema if not exists queue")
        conn.execute("set local search_path = queue, pg_catalog")
        recorded = conn.execute("select obj_description('queue'::regnamespace, 'pg_namespace')").fetchone()[0]
        if conn.execute("select to_regclass('queue.procrastinate_jobs')").fetchone()[0] is None:
            conn.execute((sql_dir / "schema.sql").read_text())
        elif recorded != f"procrastinate {version}":
            done = tuple(int(p) for p in (recorded or "procrastinate 0").split()[1].split("."))
            for path in sorted((sql_dir / "migrations").glob("*.sql")):
                if tuple(int(p) for p in path.name.split("_")[0].split(".")) > done:
                    conn.execute(path.read_text())
        # Its functions and triggers name its tables unqualified: pinned, they work whoever calls (a DBA at psql).
        conn.execute("""
            do $$ declare f regprocedure; begin
                for f in select p.oid from pg_proc as p where p.pronamespace = 'queue'::regnamespace loop
                    execute format('alter function %s set search_path = queue, pg_catalog', f);
                end loop;
            end $$""")
        conn.execute(sql.SQL("comment on schema queue is {}").format(sql.Literal(f"procrastinate {version}")))
    click.echo(f"queue: procrastinate {version}")


def _migrations():
    return read_migrations(str(DB_DIR / "migrations"))


def migrate(url: str) -> None:
    backend = get_backend(owner_yoyo_url(url))
    migrations = _migrations()
    with backend.lock():
        pending = backend.to_apply(migrations)
        for migration in pending:
            try:
                backend.apply_one(migration)
            except psycopg.Error as err:
                _fail(f"db/migrations/{migration.id}.sql", err)
            click.echo(f"migration: applied {migration.id}")
    if not pending:
        click.echo("migrations: none pending")


def apply_repeatable(url: str) -> None:
    counts = []
    with psycopg.connect(url) as conn:  # one transaction: every file lands or none does
        # The owner (not a door, which may not replace what it does not own) remakes the door objects; the doors
        # file gives them back. As the superuser: only it may take them from the doors.
        conn.execute(
            sql.SQL("reassign owned by {} to {}").format(
                sql.SQL(", ").join(map(sql.Identifier, DOORS)), sql.Identifier(OWNER)
            )
        )
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(OWNER)))
        for folder in REPEATABLE:
            files = _sql_files(folder)
            for path in files:
                try:
                    conn.execute(path.read_text())
                except psycopg.Error as err:
                    _fail(path, err)
            counts.append(f"{len(files)} {folder}")
    click.echo(f"repeatable: re-applied {', '.join(counts)}")


@click.group("db")
def db():
    """The database: bootstrap, migrations, repeatable functions/policies/views."""


@db.command()
def up():
    """Bootstrap (superuser), apply pending migrations (as pgpsa_owner), re-apply repeatable files."""
    url = admin_url()
    bootstrap(url)
    apply_queue_schema(url)
    migrate(url)
    apply_repeatable(url)


@db.command()
def status():
    """List applied and pending migrations."""
    backend = get_backend(owner_yoyo_url(admin_url()))
    migrations = _migrations()
    applied = set(backend.get_applied_migration_hashes())
    for migration in migrations:
        click.echo(f"{'applied' if migration.hash in applied else 'PENDING'}  {migration.id}")
    pending = len(backend.to_apply(migrations))
    click.echo(f"{len(migrations) - pending} applied, {pending} pending")


@db.command()
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def reset(yes):
    """Drop the database, create it empty, and run `db up`: every row is lost."""
    url = admin_url()
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise click.ClickException("DATABASE_URL names no database")
    if not yes:
        click.confirm(f"Drop database {name} with all its data and rebuild it?", abort=True)
    # Roles are cluster-wide and survive; bootstrap re-grants what the database needs.
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    click.echo(f"reset: database {name} recreated")
    up.callback()
