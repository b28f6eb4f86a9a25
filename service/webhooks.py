"""POST /webhooks/stripe: Stripe's word that a checkout was paid.

The signature is checked on the raw body (a re-serialised body would not match), with Stripe's 300 s tolerance
against replays of old deliveries. The database then stores the event id uniquely in the same transaction as the
payment it records, so a redelivery answers "duplicate" and changes nothing, and a paid invoice never moves back.
"""

import logging
from typing import Literal
from uuid import UUID

import stripe
from flask import current_app, request

from service.bodies import refuse_deep_json
from service.db import WEBHOOK_ROLE, transaction
from service.errors import Problem
from service.wire import ApiModel

log = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300
# Events that mean money arrived for a checkout; async methods (ACH) complete unpaid, then succeed later.
PAID_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}


def _verified_event() -> stripe.Event:
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise Problem(503, "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is not set).")
    signature = request.headers.get("Stripe-Signature")
    if not signature:
        raise Problem(400, "The Stripe-Signature header is missing.")
    payload = request.get_data()
    # Stripe's library parses the (signed) body with the recursive json.loads.
    refuse_deep_json(payload)
    try:
        return stripe.Webhook.construct_event(payload, signature, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as e:
        raise Problem(400, "The Stripe signature does not match this body, or it is too old.") from e
    except ValueError as e:
        raise Problem(400, "The webhook body is not a Stripe event.") from e


def _uuid(value) -> UUID | None:
    # Metadata is what we put on the session; anything else is not ours to interpret.
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _payment(event: stripe.Event) -> tuple:
    """(tenant, invoice, amount, currency, reference) of a paid checkout; Nones for any other event."""
    session = event.to_dict()["data"]["object"]
    metadata = session.get("metadata") or {}
    tenant, invoice = _uuid(metadata.get("tenant_id")), _uuid(metadata.get("invoice_id"))
    if event.type not in PAID_EVENTS or session.get("payment_status") != "paid" or session.get("amount_total") is None:
        return tenant, invoice, None, None, None
    # Stripe counts the currency's minor units; the database knows how many a currency has.
    amount = int(session["amount_total"])
    reference = session.get("payment_intent") or session.get("id")
    return tenant, invoice, amount, str(session.get("currency") or "").upper() or None, reference


class WebhookReceipt(ApiModel):
    received: bool = True
    outcome: Literal["applied", "duplicate", "already_paid", "ignored"]


def stripe_event(route, plan, identity, path, body, query):
    """POST /webhooks/stripe (declared in service.api.routes)."""
    event = _verified_event()
    tenant, invoice, amount, currency, reference = _payment(event)
    if tenant is None or invoice is None:
        # Not about one of our checkouts (none carries our metadata): there is no tenant to store it under.
        log.info("stripe event %s (%s) names no invoice: ignored", event.id, event.type)
        return WebhookReceipt(outcome="ignored")
    # No identity: the event names its tenant, and api.record_stripe_event (the webhook role's only door) works there.
    with transaction(role=WEBHOOK_ROLE) as conn:
        outcome = conn.execute(
            "select api.record_stripe_event(%s, %s, %s, %s, %s, %s, %s) as outcome",
            [event.id, event.type, tenant, invoice, amount, currency, reference],
        ).fetchone()["outcome"]
    log.info("stripe event %s (%s): %s", event.id, event.type, outcome)
    return WebhookReceipt(outcome=outcome)
