"""Benchmarks that cannot rot: every script in bench/ (found by glob, so a new one is run too) runs once at a tiny
size on a scratch database of its own, migrated as `make bench-*` migrates it. Its figures are not checked (too
small to mean anything); that it runs is. A benchmark reads its sizes from environment variables: the tiny ones
are below, and a new benchmark names its own here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_support import scratch_database

BENCH = Path(__file__).resolve().parent.parent / "bench"
TINY = {
    "PROJECTS": "20",  # health.py
    "TASKS_PER_PROJECT": "3",
    "OTHER_TENANTS": "1",
    "TASKS": "30",  # draft.py
    "TIME_ENTRIES": "60",
    "CLIENTS": "200",  # rls.py
    "BENCH_EVENTS": "50",  # events.py
    "BENCH_STREAM": "40",
    "INVOICES": "60",  # bi.py (with PROJECTS, TASKS, TIME_ENTRIES, OTHER_TENANTS)
    "RUNS": "1",
    "READ_SECONDS": "0",  # bi.py
    "SMALL": "3",  # views.py (tenants of SMALL and LARGE projects)
    "LARGE": "6",
    "DURATION": "1",  # api.py (with PROJECTS; without wrk only its pgbench side runs)
    "CONNECTIONS": "2",
    "REPEAT": "1",
    "REQUESTS": "5",  # requests_cpu.py (with PROJECTS, RUNS)
    "RATE": "40",  # api.py: every route, each side, without a second at full load on both cores
}


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_the_benchmark_runs_at_a_tiny_size(script, database_url, migrated_template):
    with scratch_database(database_url, "pgpsa_bench", template=migrated_template) as url:
        done = subprocess.run(
            [sys.executable, str(BENCH / script)],
            env={**os.environ, **TINY, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert done.stdout.strip(), f"{script} printed no figures"
