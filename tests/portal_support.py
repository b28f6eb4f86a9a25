"""Helpers for the portal tests: a client with contacts and an accepted quote (order, project, open deposit
invoice), made through the team API; codes and links read from the mail the portal queued, as a contact reads it."""

import uuid

from sales_support import make_client, ok, sales_setup, sent_quote

__all__ = ["accepted_order", "contact", "mail_secret", "ok", "portal_client", "share_link", "signed_in"]


def portal_client(client, headers, name="Acme Print") -> dict:
    return make_client(client, headers, name=name, accountCode=f"P-{uuid.uuid4().hex[:8]}")


def contact(client, headers, client_id: str, **fields) -> dict:
    body = {"name": "Pat Client", "email": f"pat-{uuid.uuid4().hex[:8]}@example.test", **fields}
    return ok(client.post(f"/api/v1/clients/{client_id}/contacts", headers=headers, json=body), 201)


def accepted_order(client, h, client_id: str) -> tuple[dict, dict]:
    """An accepted quote's order and project (its deposit invoice is sent, so open)."""
    accepted = ok(client.post(f"/api/v1/quotes/{sent_quote(client, h['sales'], client_id)['id']}/accept",
                              headers=h["sales"]))
    return accepted["order"], accepted["project"]


def share_link(client, headers, project_id: str) -> str:
    return ok(client.post(f"/api/v1/projects/{project_id}/share-link", headers=headers), 201)["shareToken"]


def mail_secret(admin, email: str, key: str) -> str | None:
    """The code or magic token in the latest mail to this address (what the worker would put in it)."""
    row = admin.execute(
        "select internal.mail_secrets(m.tenant_id, m.context) ->> %s from app.outbound_mail as m"
        " where m.to_email = %s order by m.created_at desc limit 1", [key, email]).fetchone()
    return row[0] if row else None


def signed_in(client, admin, email: str) -> dict:
    """A magic-link session for this contact: bearer headers."""
    assert client.post("/portal/auth/magic-link", json={"email": email}).status_code == 202
    r = client.post("/portal/auth/exchange", json={"token": mail_secret(admin, email, "magic_token")})
    assert r.status_code == 200, r.get_data(as_text=True)
    return {"Authorization": f"Bearer {r.get_json()['accessToken']}"}


__all__ += ["sales_setup"]
