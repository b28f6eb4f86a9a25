"""The service against the database's own rate: wrk on three routes beside pgbench running the same SQL transactions
on the same database, at several connection counts, side by side in one run.

Run: make bench-api   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/api.py)
Routes: GET /api/v1/projects/{id} (a project with its stages, tasks and approvals), GET /api/v1/clients?page[size]=25
and POST /api/v1/tasks/{id}/time-entries, as a tenant's manager. The SQL pgbench runs is what the service sent for
those requests, recorded from the app in this process (values inlined), in the same pipelines: one per round trip
(the POST's function result is read with \\gset, which pgbench allows only outside a pipeline, so pgbench makes three
round trips of the service's two). Each round runs every route at every connection count, wrk then pgbench, and the
figures are the medians over REPEAT rounds; pgbench opens at most PGBENCH_CLIENTS connections (the server allows
100), the service its pool's (workers x threads). Beside each run's rate and latencies, the CPU it took per request
(the service's processes, and the PostgreSQL cluster's, read from /proc when the database is on this machine) says
which side a route's time goes to. PROFILE=<file> profiles the service with py-spy (pip install py-spy) during one
more run of GET /projects/{id}, keeps the collapsed stacks in the file and prints where the Python time goes.
Without wrk (apt-get install wrk) only the pgbench side runs. Sizes: PROJECTS, DURATION (seconds a run),
CONNECTIONS (comma separated), REPEAT; the server: PGPSA_WORKERS, PGPSA_THREADS. RATE (requests or transactions a
second, over all connections; 0, the default, is as fast as they go) throttles both sides: make test's tiny run uses
it to run every route without spending its seconds at full load.
"""

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from tenant_data import load_tenant

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from net_support import free_port  # noqa: E402 (the tests' port: below the ephemeral ones, as a server needs)

from service import create_app
from service.api.surface import surface
from service.auth import issue_token
from service.db import Identity

PROJECTS = int(os.environ.get("PROJECTS", 1_000))
DURATION = int(os.environ.get("DURATION", 10))
CONNECTIONS = [int(c) for c in os.environ.get("CONNECTIONS", "8,32,128").split(",")]
REPEAT = int(os.environ.get("REPEAT", 2))
RATE = float(os.environ.get("RATE", 0))
PGBENCH = os.environ.get("PGBENCH", "/usr/lib/postgresql/15/bin/pgbench")
PGBENCH_CLIENTS = int(os.environ.get("PGBENCH_CLIENTS", 64))
PGPSA = str(Path(sys.executable).parent / "pgpsa")
SAMPLES = 16
GOAL = 2068  # PostgREST's single-row GET on 2 vCPUs, requests/s
WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
local headers = {["Authorization"] = "Bearer %(token)s", ["Content-Type"] = "application/json"}
request = function()
  i = i %% #paths + 1
  return wrk.format("%(method)s", paths[i], headers, %(body)s)
end
%(delay)s
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout
  io.write(string.format('{"rps": %%f, "p50": %%f, "p99": %%f, "errors": %%d, "requests": %%d}\\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.requests))
end
"""


class Recorder:
    """The statements the app's connections send while recording, values inlined, with a mark where it waited
    for results (a round trip)."""

    def __init__(self):
        self.on = False
        self.lines: list[str] = []
        original_execute, original_fetch = psycopg.Connection.execute, psycopg.Cursor._fetch_pipeline
        recorder = self

        def execute(conn, query, params=None, **kwargs):
            if recorder.on:
                text = psycopg.ClientCursor(conn).mogrify(query, params)
                recorder.lines.append(" ".join(text.split()) + ";")
            return original_execute(conn, query, params, **kwargs)

        def fetch(cursor):
            waits = not cursor.pgresult and cursor.connection._pipeline is not None
            if recorder.on and waits and recorder.lines and recorder.lines[-1] != "SYNC":
                recorder.lines.append("SYNC")
            return original_fetch(cursor)

        psycopg.Connection.execute = execute
        psycopg.Cursor._fetch_pipeline = fetch

    def record(self, send) -> list[str]:
        self.lines, self.on = [], True
        try:
            send()
        finally:
            self.on = False
        return self.lines


def pgbench_script(lines: list[str], made_id: str | None) -> str:
    """One transaction as pgbench runs it: a pipeline per round trip; a function's answer kept with \\gset."""
    batches, batch = [], []
    for line in lines:
        if line == "SYNC":
            batches.append(batch)
            batch = []
        else:
            batch.append(line)
    batches.append(batch)
    out = []
    for n, batch in enumerate(b for b in batches if b):
        if made_id is not None and n == 0:  # the call's answer names the row the read fetches
            *first, call = batch
            out += ["\\startpipeline", *first, "\\endpipeline", call.rstrip(";") + " \\gset made_"]
            continue
        if made_id is not None:
            for spelled in (made_id, made_id.replace("-", "")):
                batch = [line.replace(f"'{spelled}'::uuid", ":made_log_time::uuid") for line in batch]
        out += ["\\startpipeline", *batch, "\\endpipeline"]
    return "\n".join(out) + "\n"


def wrk(port, route, token, connections, workdir) -> dict:
    method, paths, body = route["method"], route["paths"], route.get("body")
    script = workdir / f"{route['name']}.lua"
    script.write_text(WRK_SCRIPT % {
        "paths": ", ".join(json.dumps(p) for p in paths), "token": token, "method": method,
        "body": json.dumps(json.dumps(body)) if body is not None else "nil",
        # wrk waits this long on each connection before its next request: RATE over all of them.
        "delay": f"delay = function() return {1000 * connections / RATE:.0f} end" if RATE else "",
    })
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{DURATION}s", "--timeout", "10s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def pgbench(url, route, connections, workdir) -> dict:
    clients = min(connections, PGBENCH_CLIENTS)
    logs = workdir / "pgbench-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    files = [arg for f in route["scripts"] for arg in ("-f", str(f))]
    done = subprocess.run(
        [PGBENCH, "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(DURATION), "-l",
         *(["-R", f"{RATE:g}"] if RATE else []), "--log-prefix", str(logs / "tx"), *files, url],
        capture_output=True, text=True,
    )
    if done.returncode != 0 or "tps = " not in done.stdout:
        raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
    tps = float(re.search(r"tps = ([0-9.]+)", done.stdout).group(1))
    failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", done.stdout)) else 0
    latencies = sorted(int(line.split()[2]) / 1000 for log in logs.iterdir() for line in log.read_text().splitlines())
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0  # noqa: E731
    return {"rps": tps, "p50": pick(0.50), "p99": pick(0.99), "errors": failed, "clients": clients,
            "requests": len(latencies)}


def setup(url: str, workdir: Path) -> tuple[list[dict], str, str]:
    """The data, a manager's token, and each route with its paths and pgbench scripts."""
    with psycopg.connect(url, autocommit=True) as conn:
        tenant, user = load_tenant(conn, f"bench-api-{os.getpid()}", PROJECTS)
        conn.execute("vacuum analyze")
        projects = [str(r[0]) for r in conn.execute(
            "select id from app.projects where tenant_id = %s order by project_code limit %s", (tenant, SAMPLES))]
        tasks = [str(r[0]) for r in conn.execute(
            "select distinct on (project_id) id from app.tasks "  # one task a project: no two writers share a row
            "where tenant_id = %s and billing_type = 'hourly' and invoice_id is null "
            "order by project_id, sequence limit %s", (tenant, SAMPLES))]
    secret = "bench-api-" + os.urandom(16).hex()
    app = create_app({"SECRET_KEY": secret})
    with app.app_context():
        token, _ = issue_token(Identity(tenant, user))
        surface(app)  # the catalog is read before the recording starts
    routes = [
        {"name": "get_project", "label": "GET /api/v1/projects/{id}", "method": "GET",
         "paths": [f"/api/v1/projects/{p}" for p in projects]},
        {"name": "list_clients", "label": "GET /api/v1/clients?page[size]=25", "method": "GET",
         "paths": ["/api/v1/clients?page[size]=25"]},
        {"name": "log_time", "label": "POST /api/v1/tasks/{id}/time-entries", "method": "POST",
         "paths": [f"/api/v1/tasks/{t}/time-entries" for t in tasks], "body": {"hours": 0.25}},
    ]
    recorder = Recorder()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for route in routes:
        route["scripts"] = []
        for n, path in enumerate(route["paths"]):
            answers = []

            def send(path=path, route=route, answers=answers):
                r = client.open(path, method=route["method"], headers=headers, json=route.get("body"))
                assert r.status_code in (200, 201), r.get_data(as_text=True)
                answers.append(r.get_json())

            lines = recorder.record(send)
            made = answers[0]["data"]["id"] if route["method"] == "POST" else None
            script = workdir / f"{route['name']}-{n}.sql"
            script.write_text(pgbench_script(lines, made))
            route["scripts"].append(script)
    return routes, token, secret


def serve(url: str, secret: str, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PGPSA_SECRET_KEY": secret}
    with (workdir / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [PGPSA, "serve", "--port", str(port), "--access-log", str(workdir / "access.log")],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start: " + (workdir / "serve.log").read_text()[-2000:]) from None
            time.sleep(0.3)


class Cpu:
    """CPU time (ms) of the service (gunicorn's master and workers) and of the PostgreSQL cluster (the postmaster's
    live children plus those it has reaped, so pgbench's backends count after they exit), read from /proc. None when
    the server is not on this machine."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, url: str, server: subprocess.Popen | None):
        self.server = server
        # The backend's parent is the postmaster: read while the connection (and so the backend) is still open, and
        # once (read again after the close, the exiting backend could be gone between two reads).
        with psycopg.connect(url) as conn:
            backend = self._stat(conn.execute("select pg_backend_pid()").fetchone()[0])
        self.postmaster = backend[1] if backend else None

    def _stat(self, pid: int):
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = text.rsplit(")", 1)[1].split()  # state, ppid, ... utime is field 14 of the whole line
        return fields[0], int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])

    def _tree(self, root: int, reaped: bool) -> float:
        own = self._stat(root)
        total = (own[2] + (own[3] if reaped else 0)) if own else 0
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (st := self._stat(int(entry.name))) and st[1] == root:
                total += st[2]
        return total * 1000 / self.TICK

    def now(self) -> dict | None:
        if self.postmaster is None:
            return None
        return {"service": self._tree(self.server.pid, False) if self.server else 0.0,
                "postgres": self._tree(self.postmaster, True)}


def measured(cpu: Cpu, run) -> dict:
    """A run's figures with the CPU it took per request or transaction, service's and PostgreSQL's."""
    before = cpu.now()
    figures = run()
    after = cpu.now()
    if before and after and figures.get("requests"):
        for who in ("service", "postgres"):
            figures[f"{who}_cpu"] = (after[who] - before[who]) / figures["requests"]
    return figures


def profile(port, route, token, connections, workdir, server, path: str) -> None:
    """py-spy over the service during one more wrk run: the threads holding the GIL (the service's own Python work),
    as collapsed stacks in `path`, and the functions that took most of it."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("PROFILE: py-spy is not installed (pip install py-spy)")
        return
    seconds = max(DURATION - 1, 1)
    recording = subprocess.Popen(
        [spy, "record", "--pid", str(server.pid), "--subprocesses", "--gil", "--rate", "200", "--format", "raw",
         "-o", path, "--duration", str(seconds), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    wrk(port, route, token, connections, workdir)
    _, err = recording.communicate(timeout=seconds + 60)
    if not Path(path).exists():
        print(f"PROFILE: py-spy failed: {err[-500:]}")
        return
    own, within, total = {}, {}, 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        total += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            within[f] = within.get(f, 0) + n
    print(f"\nprofile of {route['label']} at {connections} connections ({total} samples holding the GIL, in {path}):")
    print("  most time in the function itself:")
    for f, n in sorted(own.items(), key=lambda x: -x[1])[:12]:
        print(f"    {100 * n / total:5.1f}%  {f[:110]}")
    print("  most time within (service and library frames):")
    skip = ("process ", "Thread", "_worker", "_WorkItem", "ThreadWorker.handle ")
    rows = [(f, n) for f, n in within.items() if not f.startswith(skip)]
    for f, n in sorted(rows, key=lambda x: -x[1])[:25]:
        print(f"    {100 * n / total:5.1f}%  {f[:110]}")


def main():
    url = os.environ["DATABASE_URL"]
    service_url = psycopg.conninfo.make_conninfo(url, user="pgpsa_service", options="-c role=pgpsa_staff")
    workdir = Path(tempfile.mkdtemp(prefix="pgpsa-bench-api-"))
    have_wrk = shutil.which("wrk") is not None
    try:
        routes, token, secret = setup(url, workdir)
        server, port = serve(url, secret, workdir) if have_wrk else (None, 0)
        cpu = Cpu(url, server)
        results: dict = {}
        loads = [os.getloadavg()[0]]
        try:
            for r in range(REPEAT):
                for route in routes:
                    for c in CONNECTIONS:
                        # Alternate which goes first, so neither always meets the other's leftovers.
                        runs = [("service", lambda route=route, c=c: wrk(port, route, token, c, workdir)),
                                ("pgbench", lambda route=route, c=c: pgbench(service_url, route, c, workdir))]
                        for who, run in runs if r % 2 == 0 else runs[::-1]:
                            if who == "service" and not have_wrk:
                                continue
                            results.setdefault((route["label"], c, who), []).append(measured(cpu, run))
                loads.append(os.getloadavg()[0])
            if have_wrk and os.environ.get("PROFILE"):
                profile(port, routes[0], token, max(CONNECTIONS), workdir, server, os.environ["PROFILE"])
        finally:
            if server is not None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
        report(results, routes, loads, have_wrk)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(results, routes, loads, have_wrk: bool) -> None:
    workers = os.environ.get("PGPSA_WORKERS", "one per core")
    threads = os.environ.get("PGPSA_THREADS", "4")
    print(f"{PROJECTS} projects; {DURATION} s a run, median of {REPEAT} rounds; server: gunicorn gthread, workers "
          f"{workers}, {threads} threads; {os.cpu_count()} cores; load average {min(loads):.1f} to {max(loads):.1f}")
    if not have_wrk:
        print("wrk is not installed (apt-get install wrk): pgbench only")
    print(f"{'':<40} {'':>5}  {'service':^45}  {'pgbench':^33}")
    print(f"{'route':<40} {'conns':>5}  {'req/s':>7} {'p50':>8} {'p99':>8} {'cpu/req':>8} {'db/req':>8}  "
          f"{'tps':>7} {'p50':>8} {'p99':>8} {'db/tx':>7}  ratio")
    med = lambda runs, k: statistics.median(x[k] for x in runs) if runs and k in runs[0] else float("nan")  # noqa: E731
    for route in routes:
        for c in CONNECTIONS:
            s = results.get((route["label"], c, "service"), [])
            p = results[(route["label"], c, "pgbench")]
            errors = sum(x["errors"] for x in s) + sum(x["errors"] for x in p)
            service = (f"{med(s, 'rps'):7.0f} {med(s, 'p50'):6.1f}ms {med(s, 'p99'):6.1f}ms "
                       f"{med(s, 'service_cpu'):6.2f}ms {med(s, 'postgres_cpu'):6.2f}ms") if s else f"{'-':>45}"
            ratio = f"{med(s, 'rps') / med(p, 'rps'):5.2f}" if s else "    -"
            print(f"{route['label']:<40} {c:>5}  {service}  {med(p, 'rps'):7.0f} {med(p, 'p50'):6.1f}ms "
                  f"{med(p, 'p99'):6.1f}ms {med(p, 'postgres_cpu'):5.2f}ms  {ratio}"
                  f"{f'  ({errors} errors)' if errors else ''}")
    print("cpu/req: the service's processes' CPU per request; db/req, db/tx: the PostgreSQL cluster's (from /proc)")
    if have_wrk:
        best = max(med(results[(routes[0]["label"], c, "service")], "rps") for c in CONNECTIONS)
        print(f"goal: GET /api/v1/projects/{{id}} at {GOAL} req/s or more: best {best:.0f} "
              f"({'met' if best >= GOAL else 'short'}); the service at half of pgbench's rate or more (ratio >= 0.50)")


if __name__ == "__main__":
    main()
