"""Helpers for the sales tests: a banner template, a client and quotes made through the API."""

from billing_support import make_client
from delivery_support import TEMPLATE, ok

__all__ = ["make_client", "ok", "sales_setup", "sent_quote"]


def sales_setup(client, manager_headers) -> dict:
    """The banner template (project type "banner") and a client, as the manager; returns the client."""
    ok(client.post("/api/v1/templates", headers=manager_headers, json=TEMPLATE), 201)
    return make_client(client, manager_headers, name="Acme Print")


def sent_quote(client, headers, client_id: str, send: bool = True, **fields) -> dict:
    """A quote of 10 banners at 100 less 10%, 8% tax (972.00), sent unless send is False."""
    body = {
        "clientId": client_id,
        "projectType": "banner",
        "title": "Shop banners",
        "items": [{"description": "Vinyl banner", "quantity": 10, "unitPrice": 100, "discountPct": 10, "taxRate": 8}],
        **fields,
    }
    quote = ok(client.post("/api/v1/quotes", headers=headers, json=body), 201)
    if send:
        quote = ok(client.post(f"/api/v1/quotes/{quote['id']}/send", headers=headers))
    return quote
