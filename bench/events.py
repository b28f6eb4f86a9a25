"""make bench-events: event delivery through the worker to a local SendGrid stand-in.

Two figures, in one run on a scratch database:
- throughput: BENCH_EVENTS events (default 10,000; each a stock alert that mails purchasing) committed at once,
  then a worker (`pgpsa worker`, BENCH_CONCURRENCY jobs at a time) delivers them: events per second, first commit
  to last mail accepted;
- lag: BENCH_STREAM events (default 2,000) committed in batches of 20 at about half that rate, each batch's
  commit-to-delivery lag (the stand-in's acceptance of each mail minus its batch's commit): p50 and p95.
"""

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from mail_standin import SendGridStandIn  # noqa: E402 (the tests' stand-in, beside them)

N = int(os.environ.get("BENCH_EVENTS", "10000"))
STREAM = int(os.environ.get("BENCH_STREAM", "2000"))
CONCURRENCY = os.environ.get("BENCH_CONCURRENCY", "8")
BATCH = 20
URL = os.environ["DATABASE_URL"]


def setup(conn) -> tuple[str, str]:
    """A tenant with a purchasing address and a product, made as the superuser."""
    slug = f"bench-{int(time.time())}"
    made = "insert into app.tenants (slug, name) values (%s, 'Bench') returning id"
    tenant = conn.execute(made, [slug]).fetchone()[0]
    conn.execute("select set_config('pgpsa.tenant_id', %s, false)", [str(tenant)])
    conn.execute("insert into app.sales_settings (tenant_id, purchasing_email) values (%s, 'buy@bench.test')", [tenant])
    product = conn.execute("insert into app.products (tenant_id, sku, name) values (%s, 'B-1', 'Bench')"
                           " returning id", [tenant]).fetchone()[0]
    return str(tenant), str(product)


def record(conn, product: str, n: int) -> tuple[float, object]:
    """n events in one transaction: when it committed, and its timestamp (the events' occurred_at)."""
    with conn.transaction():
        conn.execute("select internal.record_event('stock.low', 'product', %s, jsonb_build_object("
                     "'quantity_on_hand', i, 'reorder_point', 5)) from generate_series(1, %s) as i", [product, n])
        stamp = conn.execute("select now()").fetchone()[0]
    return time.time(), stamp


def wait_for(standin, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(standin.accepted) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(standin.accepted)} of {count} mails after {timeout:.0f} s")
        time.sleep(0.01)


def main() -> None:
    with SendGridStandIn() as standin, psycopg.connect(URL, autocommit=True) as conn:
        standin.times = {}  # mail id -> when the stand-in accepted it
        accept = standin._send

        def timed(body):
            response = accept(body)
            standin.times[body.get("custom_args", {}).get("pgpsa_mail_id")] = time.time()
            return response

        standin._send = timed
        tenant, product = setup(conn)
        env = {**os.environ, "SENDGRID_API_KEY": "SG.bench", "SENDGRID_HOST": standin.url,
               "PGPSA_WORKER_CONCURRENCY": CONCURRENCY}
        committed, _ = record(conn, product, N)
        worker = subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(standin, N, 60 + N / 20)
            elapsed = max(standin.times.values()) - committed
            print(f"throughput: {N} events delivered in {elapsed:.1f} s: {N / elapsed:.0f} events/s "
                  f"(concurrency {CONCURRENCY})")
            rate = max(N / elapsed / 2, BATCH)  # half the rate the worker keeps up with
            batches = []
            for _ in range(max(STREAM // BATCH, 1)):
                started = time.time()
                batches.append(record(conn, product, BATCH))
                time.sleep(max(0.0, BATCH / rate - (time.time() - started)))
            wait_for(standin, N + len(batches) * BATCH, 120)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        commit_at = {stamp: at for at, stamp in batches}
        mails = conn.execute("select m.id::text, e.occurred_at from app.outbound_mail as m join app.domain_events as e"
                             " on e.tenant_id = m.tenant_id and e.id = m.event_id where m.tenant_id = %s",
                             [tenant]).fetchall()
        lags = sorted(standin.times[m] - commit_at[at] for m, at in mails if at in commit_at and m in standin.times)
        p50 = statistics.median(lags)
        p95 = lags[int(0.95 * (len(lags) - 1))]
        print(f"lag: {len(lags)} events streamed at {rate:.0f}/s in batches of {BATCH}: "
              f"commit to delivery p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (goal: p95 under 5 s)")


if __name__ == "__main__":
    main()
