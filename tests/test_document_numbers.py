"""Per-tenant document numbers under concurrency: unique and gapless, also across rollbacks."""

import os
import threading
import uuid

import psycopg
from psycopg import sql

THREADS = 8
PER_THREAD = 12


def _admin():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def _make_tenant(conn, slug):
    tenant = conn.execute("select internal.create_tenant(%s, %s)", (slug, slug)).fetchone()[0]
    user = conn.execute(
        "select internal.create_user(%s, %s, 'Numbers', 'finance', 'x')", (tenant, f"n@{slug}.test")
    ).fetchone()[0]
    return tenant, user


def _take_numbers(tenant, user, results, errors, worker):
    try:
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            for i in range(PER_THREAD):
                with conn.transaction() as tx:
                    conn.execute(sql.SQL("set local pgpsa.tenant_id = {}").format(sql.Literal(str(tenant))))
                    conn.execute(sql.SQL("set local pgpsa.user_id = {}").format(sql.Literal(str(user))))
                    # Numbers are taken by owner-run rules (sending an invoice, accepting a quote); as the owner here.
                    conn.execute("set local session authorization pgpsa_owner")
                    number = conn.execute("select internal.next_document_number('invoice')").fetchone()[0]
                    if (worker + i) % 4 == 0:
                        raise psycopg.Rollback(tx)  # this number must be given again
                    results.append(number)
    except Exception as exc:  # surfaced by the assertion below
        errors.append(exc)


def test_concurrent_numbers_are_unique_and_gapless_per_tenant():
    with _admin() as conn:
        tenants = [_make_tenant(conn, f"num-{uuid.uuid4().hex[:10]}") for _ in range(2)]
    taken = {t: [] for t, _ in tenants}
    errors = []
    threads = [
        threading.Thread(target=_take_numbers, args=(t, u, taken[t], errors, w))
        for w in range(THREADS)
        for t, u in tenants
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    for tenant, numbers in taken.items():
        committed = THREADS * PER_THREAD - sum(
            1 for w in range(THREADS) for i in range(PER_THREAD) if (w + i) % 4 == 0
        )
        assert len(numbers) == committed
        assert sorted(numbers) == [f"INV-{n:06d}" for n in range(1, committed + 1)], tenant
