"""Liveness that includes the database: load balancers and `make run` poll it."""

from flask import Blueprint

from service.api.models import Health
from service.api.registry import operation
from service.db import get_pool

bp = Blueprint("health", __name__)


@operation(
    bp, "/healthz", "GET", "The service and its database are up", response=Health, auth=False, enveloped=False
)
def healthz():
    # A PoolTimeout or OperationalError here becomes a 503 problem in service.errors.
    with get_pool().connection(timeout=2) as conn:
        conn.execute("select 1")
    return Health(status="ok")
