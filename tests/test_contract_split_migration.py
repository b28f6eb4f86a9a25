"""The shared-contract split (seed 001 "Data migration", issue 5 item 3), on scratch databases of their own: the
history up to 0007 (the shared shape), the PRD's production cases plus a blocked one, then 0008 and the rest."""

import csv
import io
import subprocess
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from deploy_support import scratch_database
from psycopg import sql
from yoyo import get_backend

from service import migrate

CASES = Path(__file__).parent / "fixtures" / "contract_split_cases.sql"
SHARED_SHAPE = "0007_contracts_shared"
SPLIT = "0008_contracts_client_owned"
# The fixture's ids: tenants, clients, contracts, assignments (see tests/fixtures/contract_split_cases.sql).
GREEN, BTM, WORRYNOT, WOLF, DOCS_HOLDER, DOCS_SHARER = (f"00000000-0000-0000-0000-00000000c00{i}" for i in range(1, 7))
MANAGED_IT, WORRY_FREE, WITH_DOCUMENTS = (f"00000000-0000-0000-0000-0000000c000{i}" for i in range(1, 4))
BLOCKED_ASSIGNMENTS = {"00000000-0000-0000-0000-0000000cc005", "00000000-0000-0000-0000-0000000cc006"}


@pytest.fixture
def scratch(database_url):
    """An empty database on the test server, dropped afterwards; yields its superuser URL."""
    with scratch_database(database_url, "pgpsa_split") as url:
        yield url


def _db_up(url: str) -> str:
    result = CliRunner().invoke(migrate.db, ["up"], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def _apply(url: str, *, through: str | None = None, only: str | None = None) -> None:
    """yoyo, as `db up` runs it (acting as the owner), limited to the migrations up to `through`, or to `only`."""
    backend = get_backend(migrate.owner_yoyo_url(url))
    with backend.lock():
        for m in backend.to_apply(migrate._migrations()):
            if (through and m.id <= through) or m.id == only:
                backend.apply_one(m)


def _rows(conn, query: str, *args) -> list[tuple]:
    return conn.execute(query, args).fetchall()


def _fingerprint(conn) -> list[tuple]:
    """Counts and a hash of every contract row, xmin included, so even an update to the same values shows."""
    tables = [
        "contracts",
        "contract_lines",
        "contract_line_services",
        "contract_line_rates",
        "contract_line_pricing_schedules",
        "client_contracts",
    ]
    return [
        conn.execute(
            sql.SQL(
                "select count(*), md5(coalesce(string_agg(t.xmin::text || t::text, '|' order by t.id), ''))"
                " from {} as t"
            ).format(sql.Identifier("app", table))
        ).fetchone()
        for table in tables
    ]


def _config(conn, contract_id: str) -> tuple:
    """A contract's header and every line with its services, rate and schedules, without ids."""
    header = conn.execute(
        "select name, description, status, is_active, billing_frequency, currency, is_template, template_id"
        " from app.contracts where id = %s",
        [contract_id],
    ).fetchone()
    lines = _rows(
        conn,
        """select l.sequence, l.name, l.line_type,
               (select array_agg((s.service_name, s.quantity)::text order by s.service_name, s.quantity)
                from app.contract_line_services as s where s.contract_line_id = l.id),
               (select array_agg((r.amount, r.hourly_rate)::text) from app.contract_line_rates as r
                where r.contract_line_id = l.id),
               (select array_agg((p.effective_from, p.effective_to, p.amount)::text order by p.effective_from)
                from app.contract_line_pricing_schedules as p where p.contract_line_id = l.id)
           from app.contract_lines as l where l.contract_id = %s order by l.sequence""",
        contract_id,
    )
    return header, lines


def _contract_of(conn, client_contract_id: str) -> tuple:
    return conn.execute(
        "select c.id::text, c.owner_client_id::text from app.client_contracts as cc"
        " join app.contracts as c on c.tenant_id = cc.tenant_id and c.id = cc.contract_id where cc.id = %s",
        [client_contract_id],
    ).fetchone()


def _assignment(client_id: str) -> str:
    return "00000000-0000-0000-0000-0000000cc" + client_id[-3:]


def test_the_split_migration_keeps_history_clones_the_rest_and_fails_closed(scratch):
    migrate.bootstrap(scratch)
    _apply(scratch, through=SHARED_SHAPE)
    with psycopg.connect(scratch, autocommit=True) as conn:
        conn.execute(CASES.read_text())
        invoices = _rows(conn, "select id, client_contract_id from app.invoices order by id")
        lines_query = "select id, client_contract_id, contract_line_id from app.invoice_lines order by id"
        invoice_lines = _rows(conn, lines_query)
        originals = {c: _config(conn, c) for c in (MANAGED_IT, WORRY_FREE, WITH_DOCUMENTS)}

        _apply(scratch, only=SPLIT)

        # The Green Thumb has invoice history: it keeps Managed IT Services; BTM (earlier start) gets a clone.
        # WorryNot starts earliest: it keeps Worry-Free Essentials; The Benjamin Wolf Group gets a clone.
        for original, keeper, other in ((MANAGED_IT, GREEN, BTM), (WORRY_FREE, WORRYNOT, WOLF)):
            assert _contract_of(conn, _assignment(keeper)) == (original, keeper)
            clone, owner = _contract_of(conn, _assignment(other))
            assert clone != original and owner == other
            assert _config(conn, clone) == _config(conn, original) == originals[original]
        assert _config(conn, _contract_of(conn, _assignment(BTM))[0])[1][0][5] is not None  # the schedule came too

        # The blocked group changed nothing: both assignments on it, no owner, and it says why.
        assert all(_contract_of(conn, cc) == (WITH_DOCUMENTS, None) for cc in BLOCKED_ASSIGNMENTS)
        assert _config(conn, WITH_DOCUMENTS) == originals[WITH_DOCUMENTS]
        shared = _rows(
            conn,
            "select cc.contract_id::text from app.client_contracts as cc"
            " join app.contracts as c on c.tenant_id = cc.tenant_id and c.id = cc.contract_id"
            " where not c.is_template group by cc.contract_id having count(distinct cc.client_id) > 1",
        )
        assert shared == [(WITH_DOCUMENTS,)]
        preflight = _rows(
            conn,
            "select contract_id::text, client_id::text, role, blockers from internal.contract_split_preflight()",
        )
        assert preflight == [
            (WITH_DOCUMENTS, DOCS_HOLDER, "preserve", None),
            (WITH_DOCUMENTS, DOCS_SHARER, "clone", "the contract has contract-scoped documents"),
        ]

        # Invoices still point where they pointed.
        assert _rows(conn, "select id, client_contract_id from app.invoices order by id") == invoices
        assert _rows(conn, lines_query) == invoice_lines

        # A re-run changes nothing and reports the blocked group again.
        before = _fingerprint(conn)
        rerun = _rows(conn, "select contract_id::text, outcome, detail from internal.split_shared_contracts()")
        assert rerun == [(WITH_DOCUMENTS, "blocked", "the contract has contract-scoped documents")]
        assert _fingerprint(conn) == before

    # The rest of the history and the repeatable files apply cleanly over the split data.
    _db_up(scratch)
    with psycopg.connect(scratch, autocommit=True) as conn:
        # As the owner, under forced RLS now, the preflight still sees every tenant (the runbook's first step).
        conn.execute("set role pgpsa_owner")
        blocked = _rows(conn, "select client_contract_id::text from internal.contract_split_preflight()")
        assert {cc for (cc,) in blocked} == BLOCKED_ASSIGNMENTS
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("alter table app.contracts validate constraint check_contracts_owner")
        # Resolved by hand (the document goes), the split finishes it and both guarantees can be validated.
        conn.execute("reset role")
        conn.execute("delete from app.contract_documents")
        conn.execute("set role pgpsa_owner")
        done = _rows(conn, "select contract_id::text, outcome from internal.split_shared_contracts()")
        assert done == [(WITH_DOCUMENTS, "split")]
        conn.execute("reset role")
        assert _contract_of(conn, "00000000-0000-0000-0000-0000000cc006")[1] == DOCS_SHARER
        conn.execute("alter table app.contracts validate constraint check_contracts_owner")
        conn.execute("alter table app.client_contracts validate constraint fk_client_contracts_owner")


PREFLIGHT = Path(__file__).resolve().parent.parent / "db" / "scripts" / "contract_split_preflight.sql"
PSQL = "/usr/lib/postgresql/15/bin/psql"
TEMPLATE, UNASSIGNED = "00000000-0000-0000-0000-0000000c0009", "00000000-0000-0000-0000-0000000c0010"
TEMPLATE_ASSIGNMENT = "00000000-0000-0000-0000-0000000cc009"


def _preflight(url: str) -> list[dict]:
    """The runbook's step 1, as a DBA runs it: psql -f db/scripts/contract_split_preflight.sql."""
    done = subprocess.run(
        [
            PSQL if Path(PSQL).exists() else "psql",
            "-X",
            "-q",
            "--csv",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-f",
            str(PREFLIGHT),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_the_preflight_script_runs_on_the_shared_shape_and_predicts_the_validation(scratch):
    """Before 0008 exists the preflight already reports what the split and the runbook's validation would trip over:
    the shared groups and their blockers, an assigned template contract (no owner, so fk_client_contracts_owner
    would not validate) and a contract nobody is assigned; once it returns nothing, both constraints validate."""
    migrate.bootstrap(scratch)
    _apply(scratch, through=SHARED_SHAPE)
    with psycopg.connect(scratch, autocommit=True) as conn:
        conn.execute(CASES.read_text())
        conn.execute(
            "insert into app.contracts (tenant_id, id, name, is_template) values"
            " ('00000000-0000-0000-0000-0000000000a1', %s, 'Template', true),"
            " ('00000000-0000-0000-0000-0000000000a1', %s, 'Nobody''s', false)",
            [TEMPLATE, UNASSIGNED],
        )
        conn.execute(
            "insert into app.client_contracts (tenant_id, id, client_id, contract_id, start_date) values"
            " ('00000000-0000-0000-0000-0000000000a1', %s, %s, %s, '2026-01-01')",
            [TEMPLATE_ASSIGNMENT, GREEN, TEMPLATE],
        )
        found = _preflight(scratch)
        by_role = {(r["contract_id"], r["client_id"] or None): (r["role"], r["blockers"] or None) for r in found}
        assert by_role[(TEMPLATE, GREEN)][0] == "template" and "template" in by_role[(TEMPLATE, GREEN)][1]
        assert by_role[(UNASSIGNED, None)][0] == "unowned"
        assert by_role[(MANAGED_IT, GREEN)] == ("preserve", None) and by_role[(MANAGED_IT, BTM)] == ("clone", None)
        assert by_role[(WITH_DOCUMENTS, DOCS_SHARER)] == ("clone", "the contract has contract-scoped documents")
        assert len(found) == 8

        # The split itself agrees with the script on the groups (the migration's own preflight, after 0008).
        _apply(scratch, only=SPLIT)
        function_rows = _rows(
            conn, "select contract_id::text, client_id::text, role, blockers from internal.contract_split_preflight()"
        )
        script_rows = [
            (r["contract_id"], r["client_id"], r["role"], r["blockers"] or None) for r in _preflight(scratch)
        ]
        assert set(function_rows) <= set(script_rows)
        # The template's assignment is what the validation trips over, as the preflight said.
        conn.execute("delete from app.contract_documents")
        assert _rows(conn, "select outcome from internal.split_shared_contracts()") == [("split",)]
        assert {(r["contract_id"], r["role"]) for r in _preflight(scratch)} == {
            (TEMPLATE, "template"),
            (UNASSIGNED, "unowned"),
        }
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("alter table app.client_contracts validate constraint fk_client_contracts_owner")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("alter table app.contracts validate constraint check_contracts_owner")

        # Resolved (the template's assignment ended, the unassigned contract given its owner): nothing left, and
        # both guarantees validate.
        conn.execute("delete from app.client_contracts where id = %s", [TEMPLATE_ASSIGNMENT])
        conn.execute("update app.contracts set owner_client_id = %s where id = %s", [GREEN, UNASSIGNED])
        assert _preflight(scratch) == []
        conn.execute("alter table app.contracts validate constraint check_contracts_owner")
        conn.execute("alter table app.client_contracts validate constraint fk_client_contracts_owner")
