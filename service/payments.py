"""Online payment behind one interface: Stripe Checkout, off until STRIPE_API_KEY is set.

The database hands out the idempotency key for each checkout attempt (api.begin_stripe_checkout), so a retry of the
same attempt, by the library or by a person pressing send again, gets Stripe's same session back instead of a
second one. The session's metadata carries the tenant and the invoice, which is all the webhook needs to find them.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

import stripe
from flask import current_app

from service.errors import Problem

_KEY = "pgpsa_payments"


@dataclass(frozen=True)
class CheckoutRequest:
    tenant_id: str
    invoice_id: str
    invoice_number: str
    amount_due: Decimal
    amount_due_minor: int  # in the currency's minor units, as Stripe counts (the database converts)
    currency: str
    client_email: str | None
    idempotency_key: str
    success_url: str | None = None  # where the payer returns (the portal's paid page), else the configured one
    cancel_url: str | None = None  # where a payer who backs out returns (the portal's invoice), else the configured one


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class PaymentGateway(ABC):
    @abstractmethod
    def create_checkout(self, req: CheckoutRequest) -> CheckoutSession:
        """A hosted payment page for the invoice's balance; raises Problem 502/503 when the gateway fails."""


class StripeGateway(PaymentGateway):
    def __init__(self, api_key: str, success_url: str, cancel_url: str, api_base: str | None, retries: int):
        base = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(api_key, base_addresses=base, max_network_retries=retries)
        self.success_url, self.cancel_url = success_url, cancel_url

    def create_checkout(self, req):
        metadata = {"tenant_id": req.tenant_id, "invoice_id": req.invoice_id}
        params = {
            "mode": "payment",
            "success_url": req.success_url or self.success_url,
            "cancel_url": req.cancel_url or self.cancel_url,
            "client_reference_id": req.invoice_id,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": req.currency.lower(),
                        "unit_amount": req.amount_due_minor,
                        "product_data": {"name": f"Invoice {req.invoice_number}"},
                    },
                }
            ],
        }
        if req.client_email:
            params["customer_email"] = req.client_email
        try:
            session = self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": req.idempotency_key}
            )
        except stripe.APIConnectionError as e:
            raise Problem(503, "Stripe could not be reached; try again in a moment.") from e
        except stripe.StripeError as e:
            raise Problem(502, f"Stripe refused the checkout: {e.user_message or 'no reason given'}") from e
        return CheckoutSession(id=session.id, url=session.url)


def get_gateway() -> PaymentGateway | None:
    """Stripe when STRIPE_API_KEY is set, else None: invoices are then paid offline only."""
    cfg = current_app.config
    if not cfg.get("STRIPE_API_KEY"):
        return None
    gateway = current_app.extensions.get(_KEY)
    if gateway is None:
        gateway = StripeGateway(
            cfg["STRIPE_API_KEY"],
            cfg["STRIPE_SUCCESS_URL"],
            cfg["STRIPE_CANCEL_URL"],
            cfg.get("STRIPE_API_BASE"),
            cfg["STRIPE_MAX_RETRIES"],
        )
        current_app.extensions[_KEY] = gateway
    return gateway


# The checkout flow the API's send and checkout routes share: begin (the database hands out the attempt and its
# idempotency key), the session made outside any transaction (a slow Stripe holds no connection or row), record.
def begin_checkout(conn, invoice_id) -> dict:
    return conn.execute("select * from api.begin_stripe_checkout(%s)", [invoice_id]).fetchone()


def open_session(gateway: PaymentGateway, tenant_id, invoice_id, begun: dict, success_url=None,
                 cancel_url=None) -> CheckoutSession:
    fields = ("invoice_number", "amount_due", "amount_due_minor", "currency", "client_email", "idempotency_key")
    request = CheckoutRequest(tenant_id=str(tenant_id), invoice_id=str(invoice_id), success_url=success_url,
                              cancel_url=cancel_url, **{k: begun[k] for k in fields})
    return gateway.create_checkout(request)


def record_checkout(conn, invoice_id, begun: dict, session: CheckoutSession) -> None:
    conn.execute(
        "select api.record_stripe_checkout(%s, %s, %s, %s)", [invoice_id, begun["attempt"], session.id, session.url]
    )
