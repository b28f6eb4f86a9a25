"""The service's own Python per request, without an HTTP server or other clients: the app called in this process
(Flask's test client, a WSGI call) on three routes as a tenant's manager, beside GET /healthz, the least a request
costs here (no token, one `select 1`).

Run: DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/requests_cpu.py
make bench-api measures the service under load through gunicorn beside pgbench; this says what one request costs
the service's Python (process CPU time, so the database's work on its own processes is not in it), and what of a
change to the service reaches it, free of the load a whole-machine benchmark is blurred by. For each route it prints
the best of RUNS rounds of REQUESTS requests (the least disturbed), in milliseconds of CPU a request, and its ratio to
/healthz's. Sizes: PROJECTS, REQUESTS, RUNS.
"""

import os
import secrets
import time

import psycopg
from tenant_data import load_tenant

from service import create_app
from service.auth import issue_token
from service.db import Identity, close_pool

PROJECTS = int(os.environ.get("PROJECTS", 200))
REQUESTS = int(os.environ.get("REQUESTS", 500))
RUNS = int(os.environ.get("RUNS", 5))


def cpu_per_request(client, path: str, headers: dict) -> float:
    """Milliseconds of this process's CPU a request, the best of RUNS rounds, after a warm-up round."""
    best = float("inf")
    for round_ in range(RUNS + 1):
        started = time.process_time()
        for _ in range(REQUESTS):
            answer = client.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.status_code, answer.get_data(as_text=True)[:500])
        if round_:  # the first round warms the pool, the routes' models and the prepared statements
            best = min(best, (time.process_time() - started) * 1000 / REQUESTS)
    return best


def main() -> None:
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url) as conn:
        tenant, user = load_tenant(conn, f"bench-service-{os.getpid()}", PROJECTS)
        project = conn.execute("select id from app.projects where tenant_id = %s order by project_code limit 1",
                               [tenant]).fetchone()[0]
    app = create_app({"SECRET_KEY": secrets.token_hex(32)})
    try:
        with app.app_context():
            token, _ = issue_token(Identity(str(tenant), str(user)))
        client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
        baseline = cpu_per_request(client, "/healthz", {})
        print(f"{PROJECTS} projects; best of {RUNS} rounds of {REQUESTS} requests, in this process")
        print(f"{'route':40} {'cpu/req':>9} {'ratio':>7}")
        print(f"{'GET /healthz (baseline)':40} {baseline:7.3f}ms {1:6.2f}x")
        for path in (f"/api/v1/projects/{project}", "/api/v1/clients?page[size]=25", "/api/v1/me"):
            ms = cpu_per_request(client, path, headers)
            print(f"{'GET ' + path.replace(str(project), '{id}'):40} {ms:7.3f}ms {ms / baseline:6.2f}x")
    finally:
        close_pool(app)


if __name__ == "__main__":
    main()
