"""`pgpsa serve` as production runs it: gunicorn's gthread workers, sized by flags, an access log line per request
with its request id, and a graceful stop on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from net_support import free_port

PGPSA = str(Path(sys.executable).parent / "pgpsa")


def _get(url: str, **headers) -> tuple[int, dict]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
        return r.status, dict(r.headers)


def test_serve_runs_gunicorn_logs_request_ids_and_stops_gracefully(database_url, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [PGPSA, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert status == 200
        status, headers = _get(f"http://127.0.0.1:{port}/healthz", **{"X-Request-Id": "serve-test-42"})
        assert headers["X-Request-Id"] == "serve-test-42" and headers["Server"] == "gunicorn"
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=40)
    said = log.read_text()
    assert "2 workers x 2 threads" in said and "Using worker: gthread" in said
    assert '"GET /healthz HTTP/1.1" 200' in said and "request_id=serve-test-42" in said
    assert code == 0 and "Shutting down: Master" in said, said
