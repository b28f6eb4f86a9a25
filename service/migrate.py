"""`pgpsa db up|status|down|reset`: bootstrap, yoyo migrations, repeatable SQL files, on DATABASE_URL (else the
embedded cluster's database).

Deploys a DBA can trust (README "Deploys"):
- every applied migration's SHA-256 is kept (internal.migration_checksums, recorded by the first `db up` that knows
  of it); an applied migration whose file changed since stops `db up` before anything is applied;
- the repeatable files are re-applied only when one changed (their checksums are in internal.repeatable_files) or
  a migration was applied: with nothing changed `db up` writes nothing and locks nothing;
- when they are re-applied, every `create policy` and `create trigger` goes through internal.ensure_ddl, which
  leaves one alone when neither its statement nor the catalog changed, so an unchanged table is not locked;
  policies and triggers no file declares any more are dropped, and so are the functions and views a file made at
  the last re-apply and no file makes now;
- what the files made and was changed in the database since, not in a file (a function's or view's definition,
  owner or grants, a policy or trigger, a policy no file declares, a grant on app, audit or internal to anyone but
  the owner and the doors, row security switched off, a function or view in api, portal or bi no file makes), is
  listed by `db status` and made again (or the stray dropped) by `db up` (service/drift.py); a column, constraint
  or index the migrations made and someone changed since is listed by both, not remade (that is a migration's to
  do);
- procrastinate's queue schema is made once and upgraded when procrastinate's version changes, else left alone.
"""

import hashlib
import importlib.metadata
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import click
import psycopg
from psycopg import sql
from yoyo import get_backend, read_migrations

from service import config
from service.drift import (
    DOORS,
    OWNER,
    STRAYS,
    database_drift,
    reclaim,
    record_fingerprints,
    record_schema,
    schema_drift,
)

# PGPSA_DB_DIR lets a test point the runner at throwaway SQL.
DB_DIR = Path(os.environ.get("PGPSA_DB_DIR") or Path(__file__).resolve().parent.parent / "db")
# Re-applied in this order after the migrations: policies last, so the doors file (db/policies/9000_doors.sql)
# sees every function and view it hands to a door.
REPEATABLE = ("functions", "views", "policies")
# One re-apply at a time per database (two deploys at once wait for each other).
REAPPLY_LOCK = 0x7067_7073_6164_6200  # "pgpsadb\0"


def admin_url() -> str:
    return config.admin_database_url()


def owner_yoyo_url(url: str) -> str:
    """The admin URL for yoyo, acting as the owner role from the first statement, so it owns all it makes."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"{query.get('options', '')} -c role={OWNER}".strip()
    return urlunsplit(parts._replace(scheme="postgresql+psycopg", query=urlencode(query)))


def _fail(path: Path | str, err: psycopg.Error, offset: int = 0, positional: bool = True) -> NoReturn:
    """Say which file broke and where, then exit non-zero."""
    name = path.relative_to(DB_DIR.parent) if isinstance(path, Path) else path
    diag = err.diag
    where = ""
    if isinstance(path, Path):
        # The position counts characters in the part of the file sent as one query, from `offset`.
        position = offset + (int(diag.statement_position) if diag.statement_position and positional else 0)
        where = f":{path.read_text()[:position].count(chr(10)) + 1}"
    lines = [f"db up: {name}{where}: {diag.sqlstate or ''} {diag.message_primary or err}".rstrip()]
    extra = {"detail": diag.message_detail, "hint": diag.message_hint, "context": diag.context}
    lines += [f"  {label}: {text}" for label, text in extra.items() if text]
    click.echo("\n".join(lines), err=True)
    sys.exit(1)


def _refuse(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sql_files(folder: str) -> list[Path]:
    return sorted((DB_DIR / folder).glob("*.sql"))


def repeatable_files() -> dict[str, Path]:
    """Every repeatable file by its path from the checkout (db/functions/0100_context.sql), in apply order."""
    return {f"{DB_DIR.name}/{folder}/{p.name}": p for folder in REPEATABLE for p in _sql_files(folder)}


def bootstrap(url: str) -> None:
    path = DB_DIR / "bootstrap.sql"
    try:
        with psycopg.connect(url) as conn:  # one transaction, committed on exit
            conn.execute(path.read_text())
    except psycopg.Error as err:
        _fail(path, err)
    click.echo(f"bootstrap: {path.relative_to(DB_DIR.parent)}")


@contextmanager
def _yoyo(url: str):
    """yoyo's backend acting as the owner, its connection closed afterwards."""
    backend = get_backend(owner_yoyo_url(url))
    try:
        yield backend
    finally:
        backend.connection.close()


def apply_queue_schema(url: str) -> None:
    """procrastinate's schema, in its own schema `queue`, owned by the owner: made once, then upgraded by
    procrastinate's own migration files, newer than the version recorded on the schema. Up to date, it is only read:
    nothing written, nothing locked."""
    import procrastinate

    sql_dir = Path(procrastinate.__file__).parent / "sql"
    version = importlib.metadata.version("procrastinate")
    wanted = f"procrastinate {version}"
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(OWNER)))
        if conn.execute("select to_regnamespace('queue') is null").fetchone()[0]:
            conn.execute("create schema queue")
        conn.execute("set local search_path = queue, pg_catalog")
        recorded = conn.execute("select obj_description('queue'::regnamespace, 'pg_namespace')").fetchone()[0]
        if conn.execute("select to_regclass('queue.procrastinate_jobs')").fetchone()[0] is None:
            conn.execute((sql_dir / "schema.sql").read_text())
            done = "made"
        elif recorded != wanted:
            done = tuple(int(p) for p in (recorded or "procrastinate 0").split()[1].split("."))
            for path in sorted((sql_dir / "migrations").glob("*.sql")):
                if tuple(int(p) for p in path.name.split("_")[0].split(".")) > done:
                    conn.execute(path.read_text())
            done = f"upgraded from {recorded or 'an unrecorded version'}"
        else:
            done = "up to date"
        # Its functions and triggers name its tables unqualified: pinned, they work whoever calls (a DBA at psql).
        # Only those not pinned yet are altered.
        conn.execute("""
            do $$ declare f regprocedure; begin
                for f in select p.oid from pg_proc as p where p.pronamespace = 'queue'::regnamespace
                    and p.proconfig is distinct from array['search_path=queue, pg_catalog'] loop
                    execute format('alter function %s set search_path = queue, pg_catalog', f);
                end loop;
            end $$""")
        if recorded != wanted:
            conn.execute(sql.SQL("comment on schema queue is {}").format(sql.Literal(wanted)))
    click.echo(f"queue: {wanted}, {done}")


def _migrations():
    return read_migrations(str(DB_DIR / "migrations"))


def _has_table(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", [name]).fetchone()[0]


def _stored_migration_checksums(conn: psycopg.Connection) -> dict[str, str]:
    if not _has_table(conn, "internal.migration_checksums"):
        return {}
    return dict(conn.execute("select migration, checksum from internal.migration_checksums").fetchall())


def migration_report(url: str) -> list[tuple[str, object, str | None]]:
    """(state, migration, note) for every migration file: applied, CHANGED (applied, file changed since), PENDING."""
    migrations = _migrations()
    with _yoyo(url) as backend:
        applied = set(backend.get_applied_migration_hashes())
    with psycopg.connect(url, autocommit=True) as conn:
        stored = _stored_migration_checksums(conn)
    report = []
    for m in migrations:
        if m.hash not in applied:
            report.append(("PENDING", m, None))
        elif m.id not in stored:
            report.append(("applied", m, "checksum recorded at the next db up"))
        elif stored[m.id] != checksum(Path(m.path)):
            report.append(("CHANGED", m, "its file changed since it was applied"))
        else:
            report.append(("applied", m, None))
    return report


def _record_migration_checksums(url: str) -> None:
    """Checksums for applied migrations that have none yet (the first `db up` that knows of them records them, so
    a database migrated before checksums existed is not refused); rows of rolled-back migrations go."""
    migrations = {m.id: m for m in _migrations()}
    with _yoyo(url) as backend:
        applied = set(backend.get_applied_migration_hashes())
    rows = [(m.id, checksum(Path(m.path))) for m in migrations.values() if m.hash in applied]
    with psycopg.connect(url) as conn:
        if not _has_table(conn, "internal.migration_checksums"):
            return
        conn.execute("delete from internal.migration_checksums where not (migration = any(%s))", [[r[0] for r in rows]])
        with conn.cursor() as cur:
            cur.executemany(
                "insert into internal.migration_checksums (migration, checksum) values (%s, %s)"
                " on conflict (migration) do nothing",
                rows,
            )


def migrate(url: str) -> int:
    """Refuse if an applied migration's file changed; apply the pending ones; returns how many were applied."""
    changed = [m.id for state, m, _ in migration_report(url) if state == "CHANGED"]
    if changed:
        _refuse(
            "db up: refused: applied migration(s) changed since they were applied: "
            + ", ".join(changed)
            + "\n  An applied migration is history: restore its file (git) and put the change in a new migration."
            + "\n  `pgpsa db status` lists them."
        )
    migrations = _migrations()
    with _yoyo(url) as backend, backend.lock():
        pending = backend.to_apply(migrations)
        for migration in pending:
            try:
                backend.apply_one(migration)
            except psycopg.Error as err:
                _fail(f"db/migrations/{migration.id}.sql", err)
            click.echo(f"migration: applied {migration.id}")
    if not pending:
        click.echo("migrations: none pending")
    _record_migration_checksums(url)
    return len(pending)


# --- repeatable files -------------------------------------------------------------------------------------------

# Statements a repeatable file may hold that lock a table: each is handed to internal.ensure_ddl (create) or
# internal.drop_ddl_if_present (drop if exists), which lock the table only when something changes.
_NAME = r'("(?:[^"]|"")+"|[\w$]+)'
_TABLE = r'((?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?)'
_CREATE_TRIGGER = rf"create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger\s+{_NAME}\s.*?\bon\s+{_TABLE}"
_DROP_IF_EXISTS = rf"\s+if\s+exists\s+{_NAME}\s+on\s+{_TABLE}\s*(?:restrict\s*)?;?\s*$"
_DECLARATIONS = [
    ("create", "trigger", re.compile(_CREATE_TRIGGER, re.I | re.S)),
    ("create", "policy", re.compile(rf"create\s+policy\s+{_NAME}\s+on\s+{_TABLE}", re.I | re.S)),
    ("drop", "trigger", re.compile(r"drop\s+trigger" + _DROP_IF_EXISTS, re.I | re.S)),
    ("drop", "policy", re.compile(r"drop\s+policy" + _DROP_IF_EXISTS, re.I | re.S)),
    # (enable|force) row level security: `rls` with the word as its name.
    (
        "alter",
        "rls",
        re.compile(
            rf"alter\s+table\s+(?:only\s+)?{_TABLE}\s+(enable|force)\s+row\s+level\s+security\s*;?\s*$", re.I | re.S
        ),
    ),
]
_STARTS = re.compile(
    r"(?:create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger|create\s+policy|drop\s+(?:trigger|policy)|alter\s+table)\b",
    re.I,
)


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


def split_declarations(text: str) -> list[tuple[int, str, tuple | None]]:
    """The file as (offset, text, declaration) parts: a declaration is (action, kind, name, table) for a top-level
    `create trigger|policy` or `drop trigger|policy if exists` statement; every other part (None) is plain SQL,
    run as it is. Quotes, comments and dollar-quoted bodies are skipped, so only real statements are taken."""
    parts: list[tuple[int, str, tuple | None]] = []
    i, n, chunk_start = 0, len(text), 0
    at_statement_start = True
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "/" and text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        if c.isspace():
            i += 1
            continue
        if at_statement_start:
            at_statement_start = False
            if _STARTS.match(text, i):
                end = _statement_end(text, i)
                stmt = text[i:end]
                for action, kind, pattern in _DECLARATIONS:
                    found = pattern.match(stmt)
                    if found:
                        if text[chunk_start:i].strip():
                            parts.append((chunk_start, text[chunk_start:i], None))
                        if kind == "rls":
                            name, table = found.group(2).lower(), found.group(1)
                        else:
                            name, table = _unquote(found.group(1)), found.group(2)
                        parts.append((i, stmt, (action, kind, name, table)))
                        chunk_start = end
                        break
                i = end
                at_statement_start = True
                continue
        i = _skip_token(text, i)
        if text[i - 1] == ";":
            at_statement_start = True
    if text[chunk_start:].strip():
        parts.append((chunk_start, text[chunk_start:], None))
    return parts


def _skip_token(text: str, i: int) -> int:
    """Past one quoted string, quoted identifier, dollar-quoted body or character."""
    c = text[i]
    if c in "'\"":
        j = i + 1
        while True:
            j = text.find(c, j)
            if j < 0:
                return len(text)
            if text.startswith(c * 2, j):
                j += 2
                continue
            return j + 1
    if c == "$":
        tag = re.match(r"\$(?:[A-Za-z_][\w]*)?\$", text[i:])
        if tag and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            j = text.find(tag.group(0), i + len(tag.group(0)))
            return len(text) if j < 0 else j + len(tag.group(0))
    return i + 1


def _statement_end(text: str, i: int) -> int:
    """The offset just past the `;` that ends the statement starting at i (a trigger or policy has no body)."""
    n = len(text)
    while i < n:
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text[i] == ";":
            return i + 1
        i = _skip_token(text, i)
    return n


def _apply_file(conn: psycopg.Connection, path: Path) -> None:
    """Runs one repeatable file, its policies and triggers through internal.ensure_ddl."""
    parts = split_declarations(path.read_text())
    for k, (offset, part, decl) in enumerate(parts):
        try:
            if decl is None:
                conn.execute(part)
                continue
            action, kind, name, table = decl
            if kind == "rls":
                conn.execute("select internal.ensure_row_security(%s::regclass, %s)", [table, name])
                continue
            if action == "drop":
                # A drop right before the create of the same name is the old way of re-making it: ensure_ddl does.
                following = next((d for _, _, d in parts[k + 1 :] if d is not None), None)
                if following == ("create", kind, name, table):
                    continue
                conn.execute("select internal.drop_ddl_if_present(%s, %s::regclass, %s)", [kind, table, name])
                continue
            conn.execute("select internal.ensure_ddl(%s, %s::regclass, %s, %s)", [kind, table, name, part.strip()])
        except psycopg.Error as err:
            _fail(path, err, offset, positional=decl is None)


def stored_repeatable_checksums(conn: psycopg.Connection) -> dict[str, str] | None:
    if not _has_table(conn, "internal.repeatable_files"):
        return None
    return dict(conn.execute("select path, checksum from internal.repeatable_files").fetchall())


def repeatable_changes(conn: psycopg.Connection) -> list[str]:
    """The repeatable files added, changed or removed since the last re-apply (all of them if never applied)."""
    files = {name: checksum(p) for name, p in repeatable_files().items()}
    stored = stored_repeatable_checksums(conn)
    if stored is None:
        return list(files)
    changed = [name for name, digest in files.items() if stored.get(name) != digest]
    return changed + sorted(name for name in stored if name not in files)


def _drop_orphans(conn: psycopg.Connection) -> list[str]:
    """Functions and views a file made at the last re-apply and none made in this one."""
    return _drop_code(
        conn,
        conn.execute(
            "select o.kind, o.identity, o.path from internal.repeatable_code as o"
            " where not exists ("
            "   select from pg_temp.repeatable_made as m where m.kind = o.kind and m.identity = o.identity)"
        ).fetchall(),
    )


def _drop_strays(conn: psycopg.Connection) -> list[str]:
    """Functions and views in the doors' schemas that no file made (service.drift.STRAYS), read once
    internal.repeatable_code holds what this re-apply made."""
    strays = conn.execute(f"select s.kind, s.identity, null from ({STRAYS}) as s (kind, identity)").fetchall()
    return _drop_code(conn, strays)


def _drop_code(conn: psycopg.Connection, code: list[tuple[str, str, str]]) -> list[str]:
    """Drops these functions and views (kind, identity, path), in whatever order their dependencies between each
    other allow; one that anything else still depends on stops the command."""
    code = [
        (kind, identity, path)
        for kind, identity, path in code
        if conn.execute(
            "select case %s when 'view' then to_regclass(%s) is not null else to_regprocedure(%s) is not null end",
            [kind, identity, identity],
        ).fetchone()[0]
    ]
    dropped, last_error = [], None
    while code:
        left = []
        for kind, identity, path in code:
            what = sql.SQL("view" if kind == "view" else "routine")
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("drop {} {}").format(what, sql.SQL(identity)))
                dropped.append(f"{kind} {identity} " + (f"(was in {path})" if path else "(no file made it)"))
            except psycopg.errors.DependentObjectsStillExist as err:
                left.append((kind, identity, path))
                last_error = err
        if len(left) == len(code):
            _fail(left[0][2], last_error)
        code = left
    return dropped


def drop_repeatable(conn: psycopg.Connection) -> None:
    """Removes everything the repeatable files made (policies, their triggers, functions, views) and forgets their
    checksums: `db down` does, so that rollback files meet only what migrations made; the next `db up` makes it
    all again. As the superuser, after the doors handed their objects back."""
    if not _has_table(conn, "internal.repeatable_code"):
        return
    conn.execute(
        """do $$
        declare
            o record;
        begin
            for o in
                select 'policy' as kind, p.polrelid::regclass as rel, p.polname::text as name
                from pg_policy as p join pg_class as c on c.oid = p.polrelid
                where c.relnamespace in ('app'::regnamespace, 'audit'::regnamespace)
                union all
                select d.kind, to_regclass(d.table_name), d.name from internal.declared_ddl as d
                where d.kind = 'trigger'
            loop
                if o.rel is not null and exists (
                    select from pg_policy as p where o.kind = 'policy' and p.polrelid = o.rel and p.polname = o.name
                    union all
                    select from pg_trigger as t where o.kind = 'trigger' and t.tgrelid = o.rel and t.tgname = o.name
                ) then
                    execute format('drop %s %I on %s', o.kind, o.name, o.rel);
                end if;
            end loop;
        end
        $$"""
    )
    _drop_code(conn, conn.execute("select kind, identity, path from internal.repeatable_code").fetchall())
    for table in ("declared_ddl", "repeatable_code", "repeatable_files"):
        conn.execute(sql.SQL("delete from {}").format(sql.Identifier("internal", table)))


def apply_repeatable(url: str, *, only_if_changed: bool = False) -> bool:
    """Re-applies every repeatable file in one transaction (as the owner, after the doors hand their objects back).
    With only_if_changed, does nothing at all when every file's checksum equals the stored one. Returns whether it
    re-applied."""
    files = repeatable_files()
    with psycopg.connect(url) as conn:  # one transaction: every file lands or none does
        drift = database_drift(conn)
        if only_if_changed and not repeatable_changes(conn) and not drift:
            click.echo(f"repeatable: {len(files)} files unchanged, nothing re-applied")
            return False
        for what in drift:
            click.echo(f"repeatable: changed in the database since the last db up, made as the files say: {what}")
        conn.execute("select pg_advisory_xact_lock(%s)", [REAPPLY_LOCK])
        changes = repeatable_changes(conn)
        # The owner (not a door, which may not replace what it does not own) remakes the door objects; the doors
        # file gives them back. As the superuser: only it may take them from the doors.
        conn.execute(
            sql.SQL("reassign owned by {} to {}").format(
                sql.SQL(", ").join(map(sql.Identifier, DOORS)), sql.Identifier(OWNER)
            )
        )
        reclaim(conn)
        # What each file makes is recorded (functions, views), to drop what no file makes any more.
        conn.execute(
            "create event trigger pgpsa_record_repeatable_code on ddl_command_end"
            " when tag in ('CREATE FUNCTION', 'CREATE PROCEDURE', 'CREATE VIEW')"
            " execute function internal.tg__record_repeatable_code()"
        )
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(OWNER)))
        conn.execute(
            "create temporary table repeatable_made (identity text, kind text, path text,"
            " primary key (kind, identity)) on commit drop"
        )
        conn.execute("select set_config('pgpsa.ddl_remade', '0', true)")
        for name, path in files.items():
            conn.execute("select set_config('pgpsa.repeatable_file', %s, true)", [name])
            _apply_file(conn, path)
        declared, remade = conn.execute(
            "select count(*), coalesce(nullif(current_setting('pgpsa.ddl_remade', true), ''), '0')::integer"
            " from internal.declared_ddl where declared_at = now()"
        ).fetchone()
        dropped = [row[0] for row in conn.execute("select internal.finish_declarations()").fetchall()]
        conn.execute("reset role")
        conn.execute("drop event trigger pgpsa_record_repeatable_code")
        dropped += _drop_orphans(conn)
        conn.execute("delete from internal.repeatable_code")
        conn.execute(
            "insert into internal.repeatable_code (identity, kind, path) select * from pg_temp.repeatable_made"
        )
        dropped += _drop_strays(conn)
        record_fingerprints(conn)
        conn.execute("delete from internal.repeatable_files")
        with conn.cursor() as cur:
            cur.executemany(
                "insert into internal.repeatable_files (path, checksum) values (%s, %s)",
                [(name, checksum(path)) for name, path in files.items()],
            )
    counts = ", ".join(f"{sum(1 for n in files if n.split('/')[1] == f)} {f}" for f in REPEATABLE)
    click.echo(
        f"repeatable: re-applied {counts} ({len(changes)} changed); "
        f"{remade} of {declared} policies and triggers remade, the rest unchanged"
    )
    for what in dropped:
        click.echo(f"repeatable: dropped {what}, no file declares it any more")
    return True


@click.group("db")
def db():
    """The database: bootstrap, migrations, repeatable functions/policies/views."""


@db.command()
def up():
    """Bootstrap (superuser), apply pending migrations (as pgpsa_owner), re-apply repeatable files if one changed."""
    url = admin_url()
    bootstrap(url)
    apply_queue_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        changed = schema_drift(conn)  # said before migrating: what migrations apply now is recorded as the schema
    for what in changed:
        click.echo(f"schema: changed since the last migration, not made again (restore it, or migrate): {what}")
    applied = migrate(url)
    apply_repeatable(url, only_if_changed=not applied)
    with psycopg.connect(url, autocommit=True) as conn:
        record_schema(conn, applied=bool(applied))


@db.command()
def status():
    """List applied, changed and pending migrations, the repeatable files changed since the last `db up`, and what
    they made that was changed in the database since."""
    url = admin_url()
    report = migration_report(url)
    for state, m, note in report:
        click.echo(f"{state:8} {m.id}" + (f"  ({note})" if note else ""))
    counts = {s: sum(1 for state, _, _ in report if state == s) for s in ("applied", "CHANGED", "PENDING")}
    click.echo(
        f"{counts['applied'] + counts['CHANGED']} applied, {counts['PENDING']} pending, {counts['CHANGED']} changed"
        " since applied"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        changes, drift, schema = repeatable_changes(conn), database_drift(conn), schema_drift(conn)
    total = len(repeatable_files())
    if changes:
        click.echo(f"repeatable: {len(changes)} of {total} files changed since the last db up (db up re-applies them):")
        click.echo("".join(f"  {name}\n" for name in changes), nl=False)
    else:
        click.echo(f"repeatable: {total} files, none changed since the last db up")
    if drift:
        click.echo(f"repeatable: {len(drift)} changed in the database since the last db up (db up makes them again):")
        click.echo("".join(f"  {what}\n" for what in drift), nl=False)
    if schema:
        click.echo(f"schema: {len(schema)} changed since the last migration (restore them, or write a migration):")
        click.echo("".join(f"  {what}\n" for what in schema), nl=False)
    if counts["CHANGED"]:
        sys.exit(1)


@db.command()
@click.option("--to", "target", metavar="ID", help="keep this migration and those before it applied")
@click.option("--all", "everything", is_flag=True, help="roll back every migration")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def down(target, everything, yes):
    """Roll back migrations, newest first, each by its rollback file in its own transaction."""
    if bool(target) == everything:
        raise click.UsageError("say --to ID or --all")
    url = admin_url()
    migrations = _migrations()
    if target and target not in {m.id for m in migrations}:
        raise click.UsageError(f"no migration {target}")
    with _yoyo(url) as backend, backend.lock():
        applied = set(backend.get_applied_migration_hashes())
        todo = [m for m in reversed(migrations) if m.hash in applied and (everything or m.id > target)]
        if not todo:
            click.echo("down: nothing to roll back")
            return
        if not yes:
            click.confirm(f"Roll back {len(todo)} migration(s), down from {todo[0].id}?", abort=True)
        with psycopg.connect(url) as conn:
            # The repeatable layer goes first (the next `db up` makes it again from the files checked out then), so
            # each rollback file meets only what the migrations made.
            conn.execute(
                sql.SQL("reassign owned by {} to {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, DOORS)), sql.Identifier(OWNER)
                )
            )
            drop_repeatable(conn)
        for m in todo:
            path = Path(m.path).with_name(Path(m.path).name.removesuffix(".sql") + ".rollback.sql")
            if not path.is_file():
                _refuse(f"db down: {m.id} has no rollback file ({path.name})")
            # The whole file as one query, as the owner (as psql -f runs it), and yoyo forgets the migration, in
            # one transaction.
            with backend.transaction():
                try:
                    backend.cursor().execute(path.read_text())
                except psycopg.Error as err:
                    _fail(path, err)
                backend.unmark_one(m)
            click.echo(f"migration: rolled back {m.id}")
    _record_migration_checksums(url)


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
