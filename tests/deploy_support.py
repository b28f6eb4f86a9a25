"""Scratch databases on the test server for tests of `pgpsa db` itself: made empty, or cloned from one migrated once."""

import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from click.testing import CliRunner
from psycopg import sql

from service import migrate

DB_DIR = Path(migrate.__file__).resolve().parent.parent / "db"


def url_of(database_url: str, name: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/" + name))


def copy_database_settings(conn: psycopg.Connection, template: str, name: str) -> None:
    """A TEMPLATE copy lacks the template's ALTER DATABASE ... SET settings (db up's search_path, with extensions,
    where pgTAP lives): set again on the copy (as the root conftest.py does for the workers' copies)."""
    settings = conn.execute(
        "select unnest(s.setconfig) from pg_db_role_setting as s join pg_database as d on d.oid = s.setdatabase "
        "where d.datname = %s and s.setrole = 0", [template]
    ).fetchall()
    for (setting,) in settings:
        key, _, value = setting.partition("=")
        conn.execute(sql.SQL("alter database {} set {} = {}").format(sql.Identifier(name), sql.Identifier(key),
                                                                   sql.SQL(value)))


@contextmanager
def scratch_database(database_url: str, prefix: str, template: str | None = None):
    """An empty database (or a copy of `template`, which nobody may be connected to), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        made = sql.SQL("create database {}").format(sql.Identifier(name))
        if template:
            made = sql.SQL("{} template {}").format(made, sql.Identifier(template))
            # A connection left over (a garbage-collected client not gone yet) must not keep it from being copied.
            admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                [template],
            )
        admin.execute(made)
        if template:
            copy_database_settings(admin, template, name)
    try:
        yield url_of(database_url, name)
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def pgpsa_db(url: str, *args: str, db_dir: Path | None = None, expect: int = 0):
    """`pgpsa db ...` in-process on this database (and these SQL files); returns the result."""
    saved = migrate.DB_DIR
    migrate.DB_DIR = db_dir or saved
    try:
        result = CliRunner().invoke(migrate.db, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)
    finally:
        migrate.DB_DIR = saved
    assert result.exit_code == expect, result.output
    return result


def copy_db_dir(tmp_path: Path) -> Path:
    """A copy of db/ to change files in."""
    target = tmp_path / "db"
    shutil.copytree(DB_DIR, target, ignore=shutil.ignore_patterns("tests"))
    return target
