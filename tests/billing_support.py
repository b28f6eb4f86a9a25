"""Helpers for the billing tests: clients, invoices and payments made through the API, a local stand-in for Stripe's
API, and webhook payloads signed by the stripe library's own helper."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import stripe
from delivery_support import ok

WEBHOOK_SECRET = "whsec_test_pgpsa"


def make_client(client, headers, **fields) -> dict:
    code = "C" + uuid.uuid4().hex[:8].upper()
    body = {"accountCode": code, "name": f"Client {code}", "channel": "trade", "email": f"{code}@pay.test", **fields}
    return ok(client.post("/api/v1/clients", headers=headers, json=body), 201)


def make_invoice(client, headers, client_id: str, *items: tuple, **fields) -> dict:
    """A draft with one line per (description, quantity, unit price[, tax rate]) item."""
    lines = [
        {"description": d, "quantity": q, "unitPrice": p, **({"taxRate": rest[0]} if rest else {})}
        for d, q, p, *rest in items
    ]
    body = {"clientId": client_id, "items": lines, **fields}
    return ok(client.post("/api/v1/invoices", headers=headers, json=body), 201)


def sent_invoice(client, headers, client_id: str, total: int = 1000) -> dict:
    draft = make_invoice(client, headers, client_id, ("Printed banners", 10, total / 10))
    return ok(client.post(f"/api/v1/invoices/{draft['id']}/send", headers=headers))


def make_payment(client, headers, client_id: str, amount, method: str = "check") -> dict:
    body = {"clientId": client_id, "method": method, "amount": str(amount), "reference": "CHK-1"}
    return ok(client.post("/api/v1/payments", headers=headers, json=body), 201)


def signed(event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[str, dict]:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}


def checkout_completed(tenant_id, invoice_id, cents: int, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"cs_test_{uuid.uuid4().hex[:12]}",
                "object": "checkout.session",
                "amount_total": cents,
                "currency": "usd",
                "payment_status": "paid",
                "payment_intent": f"pi_{uuid.uuid4().hex[:12]}",
                "metadata": {"tenant_id": str(tenant_id), "invoice_id": str(invoice_id)},
            }
        },
    }


class StripeStandIn:
    """Stripe's API on 127.0.0.1: records every request and creates Checkout Sessions. Like Stripe, a repeated
    Idempotency-Key gets the first answer back. `fail` lists statuses to answer next instead (500, 400, ...)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail: list[int] = []
        self.sessions: dict[str, dict] = {}
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                stand_in.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "form": dict(parse_qsl(body))}
                )
                status, answer = stand_in.answer(self.path, self.headers.get("Idempotency-Key"), dict(parse_qsl(body)))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, key: str | None, form: dict) -> tuple[int, dict]:
        if self.fail:
            status = self.fail.pop(0)
            return status, {"error": {"type": "api_error", "message": f"stand-in says {status}"}}
        if path != "/v1/checkout/sessions":
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}
        if key not in self.sessions:
            sid = f"cs_test_{uuid.uuid4().hex[:16]}"
            self.sessions[key] = {
                "id": sid,
                "object": "checkout.session",
                "mode": "payment",
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
                "url": f"https://checkout.stripe.test/c/pay/{sid}",
            }
        return 200, self.sessions[key]

    def checkout_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/v1/checkout/sessions"]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
