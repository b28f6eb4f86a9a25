"""Scratch databases on the test server for tests of `pgpsa db` itself: made empty, or cloned from one migrated once.

Run as a script (`python tests/deploy_support.py`, as `make test` does) it makes DATABASE_URL's database again as a
copy of that deployed template with the demo loaded (`pgpsa seed-demo`, run once on a template of its own)."""

import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from click.testing import CliRunner
from psycopg import sql

from service import migrate

DB_DIR = Path(migrate.__file__).resolve().parent.parent / "db"
SERVICE_DIR = DB_DIR.parent / "service"
TEMPLATE_PREFIX = "pgpsa_deployed_"
PG_SH = DB_DIR.parent / "scripts" / "pg.sh"


def url_of(database_url: str, name: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/" + name))


def copy_database_settings(conn: psycopg.Connection, template: str, name: str) -> None:
    """A TEMPLATE copy lacks the template's ALTER DATABASE ... SET settings (db up's search_path, with extensions,
    where pgTAP lives): set again on the copy."""
    settings = conn.execute(
        "select unnest(s.setconfig) from pg_db_role_setting as s join pg_database as d on d.oid = s.setdatabase "
        "where d.datname = %s and s.setrole = 0", [template]
    ).fetchall()
    for (setting,) in settings:
        key, _, value = setting.partition("=")
        conn.execute(sql.SQL("alter database {} set {} = {}").format(sql.Identifier(name), sql.Identifier(key),
                                                                   sql.SQL(value)))


def _in_scratch_space(admin: psycopg.Connection) -> sql.Composable:
    """The clause that puts a throwaway database in tablespace pgpsa_scratch (in RAM: scripts/pg.sh says why) when
    the server has it, else nothing."""
    found = admin.execute("select 1 from pg_tablespace where spcname = 'pgpsa_scratch'").fetchone()
    return sql.SQL(" tablespace pgpsa_scratch" if found else "")


def throwaway_dir(prefix: str) -> str:
    """A new folder's path for a throwaway cluster of a test's own, in RAM when there is room (scripts/pg.sh)."""
    made = subprocess.run([str(PG_SH), "throwaway-dir", prefix], capture_output=True, text=True, check=True)
    return made.stdout.strip()


def copy_database(admin: psycopg.Connection, template: str, name: str, throwaway: bool = False) -> None:
    """`name` made as a copy of `template` (CREATE DATABASE ... TEMPLATE), its settings too; a throwaway one in the
    scratch space. A session left on the template (a garbage-collected client not gone yet, autovacuum) would keep
    it from being copied: ended first, and again if one came back in between."""
    made = sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template))
    if throwaway:
        made += _in_scratch_space(admin)
    for attempt in range(20):
        _end_sessions(admin, template)
        try:
            admin.execute(made)
            break
        except psycopg.errors.ObjectInUse:
            if attempt == 19:
                raise
            time.sleep(0.25)
    copy_database_settings(admin, template, name)


def _end_sessions(admin: psycopg.Connection, database: str) -> None:
    admin.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
        [database],
    )


@contextmanager
def scratch_database(database_url: str, prefix: str, template: str | None = None):
    """An empty database (or a copy of `template`, which nobody may be connected to), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        if template:
            copy_database(admin, template, name, throwaway=True)
        else:
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)) + _in_scratch_space(admin))
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


def fingerprint() -> str:
    """What `pgpsa db up` makes from nothing depends on: the SQL files, the service's code (migrate, drift, the
    queue's schema) and the migration and queue libraries' versions. Any change makes a new template."""
    digest = hashlib.sha256()
    for name in ("procrastinate", "yoyo-migrations", "psycopg"):
        digest.update(f"{name} {version(name)}\n".encode())
    files = [p for p in DB_DIR.rglob("*") if p.is_file() and "tests" not in p.relative_to(DB_DIR).parts]
    files += [p for p in SERVICE_DIR.rglob("*.py")]
    for path in sorted(files):
        digest.update(f"{path.relative_to(DB_DIR.parent)}\n".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def deployed_template(database_url: str, demo: bool = False) -> str:
    """The name of a database `pgpsa db up` made from nothing for the files as they are now (with `demo`, a copy of
    it with `pgpsa seed-demo` run on it), made when missing.

    It outlives the run, so a warm `make test` deploys from nothing only when db/ or the service changed (a full
    history costs about 8 s of one core, and each xdist worker needed one), and loads the demo only then (3.6 s of
    each run's set-up before). Made under another name and renamed when complete, so a run killed half-way leaves
    nothing that looks ready; made under an advisory lock, so two workers starting together make it once. Nobody
    stays connected to it: CREATE DATABASE ... TEMPLATE needs that."""
    files = fingerprint()
    name = TEMPLATE_PREFIX + files + ("_demo" if demo else "")
    plain = deployed_template(database_url) if demo else None
    with psycopg.connect(url_of(database_url, "postgres"), autocommit=True) as admin:
        admin.execute("select pg_advisory_lock(hashtext('pgpsa deployed template'))")
        if admin.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            return name
        making = name + "_making"
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(making)))
        if plain:
            copy_database(admin, plain, making)
            env = {**os.environ, "DATABASE_URL": url_of(database_url, making)}
            subprocess.run([sys.executable, "-m", "service.cli", "seed-demo"], env=env, check=True,
                           stdout=subprocess.DEVNULL, cwd=DB_DIR.parent)
        else:
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(making)))
            pgpsa_db(url_of(database_url, making), "up")
        _end_sessions(admin, making)
        admin.execute(sql.SQL("alter database {} rename to {}").format(sql.Identifier(making), sql.Identifier(name)))
        _drop_old_templates(admin, TEMPLATE_PREFIX + files)
    return name


def _drop_old_templates(admin: psycopg.Connection, keep: str) -> None:
    """Templates of earlier files (not named `keep`...); one in use (another checkout's run on a shared server) is
    left for later."""
    old = admin.execute(
        "select datname from pg_database where datname like %s and datname not like %s",
        [TEMPLATE_PREFIX + "%", keep + "%"],
    ).fetchall()
    for (name,) in old:
        try:
            admin.execute(sql.SQL("drop database {}").format(sql.Identifier(name)))
        except psycopg.errors.ObjectInUse:
            pass


def remake_from_template(database_url: str) -> None:
    """DATABASE_URL's database dropped and made again as a copy of the deployed template with the demo loaded."""
    template = deployed_template(database_url, demo=True)
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(url_of(database_url, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        copy_database(admin, template, name)
    print(f"{name}: made again as a copy of {template}")


if __name__ == "__main__":
    remake_from_template(os.environ.get("DATABASE_URL") or sys.exit("DATABASE_URL names the database to make"))
