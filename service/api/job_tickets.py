"""Job tickets: the printable PDF (QR for PRJ:<project_code>) and scanning a ticket at a station."""

from uuid import UUID

from flask import Blueprint, Response

from service.api.registry import operation
from service.api.sales_models import Scan, ScanIn
from service.db import transaction
from service.errors import Problem
from service.tickets import ticket_pdf as render_ticket_pdf

bp = Blueprint("job_tickets", __name__, url_prefix="/api/v1")


@operation(
    bp, "/projects/<uuid:project_id>/job-tickets/<uuid:ticket_id>.pdf", "GET", "The printable job ticket (PDF)",
    enveloped=False,
)
def ticket_pdf(identity, project_id: UUID, ticket_id: UUID):
    with transaction(identity) as conn:
        ticket = conn.execute(
            "select * from api.job_tickets where id = %s and project_id = %s", [ticket_id, project_id]
        ).fetchone()
    if ticket is None:
        raise Problem(404, f"No job ticket with id {ticket_id} on project {project_id}.")
    filename = f"{ticket['ticket_code']}.pdf"
    return Response(
        render_ticket_pdf(ticket), mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@operation(
    bp, "/job-tickets/<string:code>/scan", "POST", "Scan a ticket (JOB- code or its QR payload) at a station",
    body=ScanIn, response=Scan, status=201,
)
def scan(identity, code: str, body: ScanIn):
    with transaction(identity) as conn:
        return conn.execute("select * from api.scan_job_ticket(%s, %s)", [code, body.station]).fetchone()
