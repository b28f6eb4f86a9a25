"""The worker under the worst: killed with SIGKILL in the middle of 300 events, then restarted, it loses none
and sends none twice; two workers running a simulated day of schedules run each period once per tenant; one
tenant's failing run holds back no other tenant."""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from delivery_support import ok
from mail_standin import SendGridStandIn

EVENTS = 300


def _env(database_url, standin, **extra) -> dict:
    return {
        **os.environ, "DATABASE_URL": database_url, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": standin.url,
        "PGPSA_JOB_RETRY_WAIT": "0", "PGPSA_STALLED_SECONDS": "2", **extra,
    }


def _worker(env, log, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker", *args], env=env,
                            stdout=log, stderr=log, start_new_session=True)


def _stock_low_events(admin, tenant, product_id, n: int) -> None:
    """n events whose handler mails purchasing once each, recorded (with their jobs) in one transaction."""
    with admin.transaction():
        admin.execute("select set_config('pgpsa.tenant_id', %s, true)", [str(tenant.id)])
        admin.execute(
            "select internal.record_event('stock.low', 'product', %s, jsonb_build_object("
            "'quantity_on_hand', i, 'reorder_point', 5)) from generate_series(1, %s) as i", [product_id, n])


def _mail_ids(admin, tenant) -> set[str]:
    rows = admin.execute("select id::text from app.outbound_mail where tenant_id = %s", [tenant.id]).fetchall()
    return {r[0] for r in rows}


def test_a_worker_killed_mid_batch_loses_no_event_and_sends_no_mail_twice(
    client, make_tenant, login, admin, database_url, tmp_path
):
    t = make_tenant("manager")
    h = login(t, "manager")
    ok(client.patch("/api/v1/sales-settings", headers=h, json={"purchasingEmail": f"buy@{t.slug}.test"}))
    product = ok(client.post("/api/v1/products", headers=h, json={"sku": "CRASH", "name": "Crash test"}), 201)
    _stock_low_events(admin, t, product["id"], EVENTS)
    with SendGridStandIn() as standin:
        env = _env(database_url, standin, PGPSA_WORKER_CONCURRENCY="4")
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (the worker writes it until killed)
        first = _worker(env, log)
        deadline = time.monotonic() + 120
        while len(standin.to(f"buy@{t.slug}.test")) < EVENTS // 4:
            assert first.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker sent too little in 2 minutes"
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)  # mid-batch: jobs in flight, a send perhaps half done
        first.wait()
        log.close()
        sent_before_restart = len(standin.to(f"buy@{t.slug}.test"))
        assert sent_before_restart < EVENTS, "the kill came too late to test anything"
        time.sleep(2.5)  # the dead worker's heartbeat goes stale: its jobs are stalled
        for _ in range(20):
            done = subprocess.run([sys.executable, "-m", "service.cli", "worker", "--once", "--tenant", t.slug],
                                  env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            pending = admin.execute(
                "select count(*) from app.domain_events where tenant_id = %s and delivered_at is null", [t.id]
            ).fetchone()[0] + admin.execute(
                "select count(*) from app.outbound_mail where tenant_id = %s and status <> 'sent'", [t.id]
            ).fetchone()[0]
            if pending == 0:
                break
        sent = [m["mail_id"] for m in standin.to(f"buy@{t.slug}.test")]
    assert pending == 0, "events or mails were left behind"
    assert len(set(sent)) == EVENTS, "an event lost its mail"
    assert len(sent) == EVENTS, f"{len(sent) - len(set(sent))} mail(s) sent twice"
    assert set(sent) == _mail_ids(admin, t)


def _simulated_day(tenant_id: str, zone: str, day: str) -> str:
    """A worker's script: every half hour of one local day, the schedules' tick."""
    return (
        "from datetime import datetime, timedelta\nfrom zoneinfo import ZoneInfo\nfrom service import jobs\n"
        f"start = datetime.fromisoformat('{day}T00:00').replace(tzinfo=ZoneInfo('{zone}'))\n"
        f"failed = sum(jobs.run_schedules(start + timedelta(minutes=30 * i), ['{tenant_id}']) for i in range(48))\n"
        "raise SystemExit(1 if failed else 0)\n"
    )


def test_two_workers_running_a_day_of_schedules_run_each_period_once(client, make_tenant, login, admin, database_url):
    t = make_tenant("manager")
    h = login(t, "manager")
    zone = "Asia/Tokyo"
    admin.execute("update app.tenants set time_zone = %s where id = %s", [zone, t.id])
    # Something for the reorder report to report, so a second run of it would show (a second event).
    product = ok(client.post("/api/v1/products", headers=h, json={"sku": "LOW", "name": "Low"}), 201)
    shelf = ok(client.post("/api/v1/inventory/locations", headers=h, json={"name": "Shelf"}), 201)
    ok(client.post("/api/v1/inventory/levels", headers=h,
                   json={"productId": product["id"], "locationId": shelf["id"], "reorderPoint": 5}))
    day = (datetime.now(ZoneInfo(zone)) + timedelta(days=1)).date().isoformat()
    env = {**os.environ, "DATABASE_URL": database_url}
    script = _simulated_day(str(t.id), zone, day)
    workers = [subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    for w in workers:
        assert w.wait(timeout=300) == 0, w.stderr.read()
    runs = admin.execute("select schedule, count(*) from app.schedule_runs where tenant_id = %s and period like %s"
                         " group by schedule order by schedule", [t.id, f"{day}%"]).fetchall()
    assert runs == [("outstanding_deposits", 1), ("quote_expiry", 1), ("reorder_report", 1), ("sla_sweep", 24)]
    reports = admin.execute("select count(*) from app.domain_events where tenant_id = %s"
                            " and event_type = 'stock.reorder_report'", [t.id]).fetchone()[0]
    assert reports == 1
    hours = admin.execute("select min(period), max(period) from app.schedule_runs where tenant_id = %s"
                          " and schedule = 'sla_sweep' and period like %s", [t.id, f"{day}%"]).fetchone()
    assert hours == (f"{day}T00", f"{day}T23")  # local hours of the tenant's day


@pytest.fixture
def failing_for(admin):
    """A trigger that makes one tenant's schedule runs fail (a broken sweep), removed afterwards."""
    def arm(tenant_id):
        admin.execute(f"""
            create or replace function internal.test_fail_runs() returns trigger language plpgsql as $$
            begin
                if new.tenant_id = '{tenant_id}' then raise exception 'broken sweep'; end if;
                return new;
            end $$;
            create trigger trg_schedule_runs_test_fail before insert on app.schedule_runs
            for each row execute function internal.test_fail_runs();""")
    yield arm
    admin.execute("drop trigger if exists trg_schedule_runs_test_fail on app.schedule_runs;"
                  " drop function if exists internal.test_fail_runs()")


def test_one_tenants_failing_run_holds_back_no_other_tenant(make_tenant, admin, database_url, failing_for):
    broken, fine = make_tenant("manager"), make_tenant("manager")
    failing_for(broken.id)
    at = "2030-01-02T19:00+0000"  # every schedule of the day is due
    script = ("from datetime import datetime\nfrom service import jobs\n"
              f"raise SystemExit(jobs.run_schedules(datetime.strptime('{at}', '%Y-%m-%dT%H:%M%z'),"
              f" ['{broken.id}', '{fine.id}']))")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "DATABASE_URL": database_url},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stderr  # the broken tenant's four runs failed...

    def periods(tenant):
        query = "select count(*) from app.schedule_runs where tenant_id = %s and period like '2030-01-02%%'"
        return admin.execute(query, [tenant.id]).fetchone()[0]

    assert (periods(broken), periods(fine)) == (0, 4)  # ... and the other's ran
    admin.execute("drop trigger trg_schedule_runs_test_fail on app.schedule_runs")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "DATABASE_URL": database_url},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (periods(broken), periods(fine)) == (4, 4)  # retried alone, once mended
