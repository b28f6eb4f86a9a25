"""Settings from the environment, with defaults that suit the embedded cluster."""

import functools
import os
import secrets
import subprocess
from pathlib import Path

import click
from psycopg.conninfo import conninfo_to_dict, make_conninfo

SERVICE_ROLE = "pgpsa_service"
# Without DATABASE_URL: the checkout's embedded cluster, through the script the Makefile uses.
PG_SH = Path(__file__).resolve().parent.parent / "scripts" / "pg.sh"
EMBEDDED_DB = "pgpsa"


def _plain(url: str) -> str:
    # yoyo spells the driver into the scheme; libpq does not accept it.
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class DatabaseNotFound(click.ClickException):
    """No DATABASE_URL and no embedded cluster to fall back on: said in one line by the CLI."""


def _pg_sh(*args: str) -> str:
    try:
        done = subprocess.run([str(PG_SH), *args], capture_output=True, text=True, check=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as e:
        said = getattr(e, "stderr", None) or str(e)
        if isinstance(said, bytes):  # a timeout's output stays bytes whatever text= says
            said = said.decode(errors="replace")
        last = said.strip().splitlines()[-1:] or ["no reason given"]
        raise DatabaseNotFound(f"DATABASE_URL is not set, and the embedded cluster did not start: {last[0]}") from e
    return done.stdout.strip()


@functools.cache
def embedded_database_url() -> str:
    """The checkout's own cluster and its database `pgpsa`, started (and made) if needed, as `make run` does."""
    if not PG_SH.is_file():
        raise DatabaseNotFound(f"DATABASE_URL is not set, and there is no embedded cluster ({PG_SH} is missing).")
    _pg_sh("ensure", EMBEDDED_DB)
    return _pg_sh("url", EMBEDDED_DB)


def admin_database_url() -> str:
    return _plain(os.environ.get("DATABASE_URL") or embedded_database_url())


def service_database_url() -> str:
    """SERVICE_DATABASE_URL, else DATABASE_URL logged in as the service role (trust auth when embedded)."""
    url = os.environ.get("SERVICE_DATABASE_URL")
    if url:
        return _plain(url)
    params = conninfo_to_dict(admin_database_url())
    params["user"] = SERVICE_ROLE
    params.pop("password", None)
    return make_conninfo(**params)


def secret_key(instance_path: str) -> str:
    """PGPSA_SECRET_KEY, else a random key made once and kept in instance/, so restarts keep tokens valid."""
    key = os.environ.get("PGPSA_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def defaults() -> dict:
    env = os.environ.get
    base = env("BASE_URL", f"http://127.0.0.1:{env('PORT', '8000')}").rstrip("/")  # where the service is reached
    return {
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "TOKEN_TTL_SECONDS": int(env("PGPSA_TOKEN_TTL", "3600")),
        "POOL_MIN_SIZE": int(env("PGPSA_POOL_MIN", "1")),
        "POOL_MAX_SIZE": int(env("PGPSA_POOL_MAX", "10")),
        "POOL_TIMEOUT": float(env("PGPSA_POOL_TIMEOUT", "5")),
        "POOL_RECONNECT_TIMEOUT": float(env("PGPSA_POOL_RECONNECT_TIMEOUT", "5")),
        # How the service's connections plan their prepared statements (service/db.py): generic plans, planned once.
        "PLAN_CACHE_MODE": env("PGPSA_PLAN_CACHE_MODE", "force_generic_plan"),
        # argon2-cffi's defaults (RFC 9106 low-memory profile); tests lower them to stay fast.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        # Files: a local folder (default instance/storage) unless S3_BUCKET names a bucket.
        "STORAGE_DIR": env("STORAGE_DIR"),
        "S3_BUCKET": env("S3_BUCKET"),
        "S3_ENDPOINT_URL": env("S3_ENDPOINT_URL"),
        "S3_REGION": env("AWS_REGION") or env("AWS_DEFAULT_REGION") or "us-east-1",
        "SIGNED_URL_TTL": 600,
        # The worker: jobs retried with exponential backoff (JOB_RETRY_WAIT seconds, doubling), dead after
        # JOB_MAX_ATTEMPTS; WORKER_CONCURRENCY jobs at a time.
        "JOB_RETRY_WAIT": float(env("PGPSA_JOB_RETRY_WAIT", "2")),
        "JOB_MAX_ATTEMPTS": int(env("PGPSA_JOB_MAX_ATTEMPTS", "8")),
        "WORKER_CONCURRENCY": int(env("PGPSA_WORKER_CONCURRENCY", "4")),
        # A worker silent this long is taken for dead, and the jobs it held are queued again.
        "STALLED_SECONDS": float(env("PGPSA_STALLED_SECONDS", "30")),
        # Mail: SendGrid when SENDGRID_API_KEY is set (SENDGRID_HOST points its client elsewhere, for tests), else
        # the local outbox (`pgpsa mail list`). Links in mails start with BASE_URL.
        "SENDGRID_API_KEY": env("SENDGRID_API_KEY"),
        "SENDGRID_HOST": env("SENDGRID_HOST", "https://api.sendgrid.com"),
        "MAIL_FROM": env("MAIL_FROM", "no-reply@pgpsa.invalid"),
        "BASE_URL": base,
        # Stripe Checkout: off until STRIPE_API_KEY is set; STRIPE_API_BASE points the client elsewhere (tests).
        "STRIPE_API_KEY": env("STRIPE_API_KEY"),
        "STRIPE_API_BASE": env("STRIPE_API_BASE"),
        "STRIPE_WEBHOOK_SECRET": env("STRIPE_WEBHOOK_SECRET"),
        # Where Checkout sends the payer back; the service's root until the portal has a page for it.
        "STRIPE_SUCCESS_URL": env("STRIPE_SUCCESS_URL", f"{base}/"),
        "STRIPE_CANCEL_URL": env("STRIPE_CANCEL_URL", f"{base}/"),
        "STRIPE_MAX_RETRIES": int(env("STRIPE_MAX_RETRIES", "2")),
        # The portal's session cookie is Secure (HTTPS only) unless PGPSA_PORTAL_INSECURE_COOKIE is set (plain-HTTP
        # development); Checkout sends a portal payer back to PORTAL_PAID_URL (the paid page, which waits for
        # Stripe's word) or, backing out, to PORTAL_CANCEL_URL (the invoice, to pay later or otherwise).
        "PORTAL_SECURE_COOKIE": not env("PGPSA_PORTAL_INSECURE_COOKIE"),
        "PORTAL_PAID_URL": env("PORTAL_PAID_URL", base + "/portal/paid?invoice={invoice_id}"),
        "PORTAL_CANCEL_URL": env("PORTAL_CANCEL_URL", base + "/portal/invoices/{invoice_id}"),
    }
