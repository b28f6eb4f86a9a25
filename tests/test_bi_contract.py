"""The bi schema's contract: db/bi_contract.txt lists every column of every bi view with its type, and the catalog
must say exactly that, so a rename or a retype fails `make test` until the change is made on purpose (the file, the
README's BI section, and for a rename, retype or removal the contract version, here and in db/views/bi_schema.sql).

PGPSA_WRITE_BI_CONTRACT=1 pytest tests/test_bi_contract.py writes the file from the catalog (then read the diff)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "db" / "bi_contract.txt"
README = ROOT / "README.md"

HEADER = """\
# The bi schema's contract with BI tools: every column of every bi view, in column order, as
# bi.<view>.<column> <type>. tests/test_bi_contract.py holds the database to it, so a rename or a retype fails
# `make test`. A deliberate change edits this file (PGPSA_WRITE_BI_CONTRACT=1 pytest tests/test_bi_contract.py
# writes it) and the README's BI section; a rename, retype or removal also raises the version, here and in
# db/views/bi_schema.sql. A new view, or a column added at the end of one, keeps it. app.* types are domains: a BI
# tool sees their base type (app.money is numeric(12,2), app.hours numeric(8,2), the others text).
"""

CATALOG = """
select format('bi.%s.%s', c.relname, a.attname), pg_catalog.format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_class as c
join pg_catalog.pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relnamespace = 'bi'::regnamespace and c.relkind = 'v'
order by c.relname, a.attnum
"""


def _catalog(admin) -> list[str]:
    with admin.transaction():
        admin.execute("set local search_path to pg_catalog")  # types named the same whatever the session's path
        return [f"{name} {type_}" for name, type_ in admin.execute(CATALOG).fetchall()]


def _schema_version(admin) -> str:
    comment = admin.execute("select obj_description('bi'::regnamespace, 'pg_namespace')").fetchone()[0] or ""
    match = re.search(r"contract version (\d+)", comment)
    assert match, f"the bi schema's comment names no contract version: {comment!r}"
    return match.group(1)


def _read() -> tuple[str | None, list[str]]:
    lines = [line for line in CONTRACT.read_text().splitlines() if line and not line.startswith("#")]
    version = lines[0].removeprefix("version ") if lines and lines[0].startswith("version ") else None
    return version, lines[1:] if version else lines


def test_the_bi_views_are_the_contract(admin):
    columns, version = _catalog(admin), _schema_version(admin)
    if os.environ.get("PGPSA_WRITE_BI_CONTRACT"):
        CONTRACT.write_text(HEADER + f"version {version}\n" + "\n".join(columns) + "\n")
    listed_version, listed = _read()
    assert listed_version == version, (
        f"db/bi_contract.txt is version {listed_version}, the bi schema's comment says {version}"
    )
    missing = [line for line in listed if line not in columns]
    unlisted = [line for line in columns if line not in listed]
    assert not missing and not unlisted, (
        "the bi views differ from db/bi_contract.txt.\n"
        f"In the contract, not in the database (renamed, retyped or dropped?): {missing}\n"
        f"In the database, not in the contract (new, or the other side of a rename?): {unlisted}"
    )
    assert listed == columns, "the bi views' columns are in another order than db/bi_contract.txt says"


def test_the_readme_names_every_bi_view():
    section = README.read_text().split("## Other applications and BI tools", 1)[1].split("\n## ", 1)[0]
    views = sorted({line.split(" ")[0].rsplit(".", 1)[0] for line in _read()[1]})
    unnamed = [view for view in views if f"`{view}`" not in section]
    assert not unnamed, f"README's BI section does not describe {unnamed}"
