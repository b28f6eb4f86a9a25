"""Printable job tickets (seed 003 §3.4): a QR code for the ticket's payload (segno) on a one-page A5 PDF (fpdf2)
with what the shop floor needs: ticket and order numbers, customer, project, PO, priority, promised date."""

import io

import segno


def qr_png(payload: str, scale: int = 10) -> bytes:
    """The QR code as a PNG, with the quiet zone scanners need."""
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def _latin1(text) -> str:
    # The PDF core fonts speak Latin-1; anything else prints as "?" rather than failing the ticket.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def ticket_pdf(ticket: dict) -> bytes:
    from fpdf import FPDF  # here, not at the top: fpdf2 takes 0.2 s to import, and every CLI run and worker paid it

    meta = ticket.get("metadata") or {}
    pdf = FPDF(format=(148, 210))  # A5, in mm
    pdf.set_title(_latin1(f"Job ticket {ticket['ticket_code']}"))
    pdf.add_page()
    pdf.set_font("helvetica", "B", 22)
    pdf.cell(0, 12, _latin1(ticket["ticket_code"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 12)
    rows = [
        ("Order", meta.get("order_number")),
        ("Customer", meta.get("customer")),
        ("Project", f"{meta.get('project_code', '')} {meta.get('project_name', '')}".strip()),
        ("PO", meta.get("po_number")),
        ("Priority", meta.get("priority")),
        ("Promised", meta.get("promised_date")),
    ]
    for label, value in rows:
        if value:
            pdf.cell(28, 8, label, new_x="RIGHT", new_y="TOP")
            pdf.cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(qr_png(ticket["qr_payload"])), x=34, y=pdf.get_y() + 6, w=80, h=80)
    pdf.set_y(pdf.get_y() + 90)
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, _latin1(ticket["qr_payload"]), align="C")
    return bytes(pdf.output())
