"""Request and response shapes of the billing API: invoices, their lines, payments and applications.
Totals, balances, statuses and every guard are the database's; these are shapes."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from service.api.delivery_models import Hours, Money
from service.api.models import IsoDate, IsoDateTime, PageQuery, Text
from service.api.registry import ApiModel, InModel

InvoiceKind = Literal["deposit", "final", "progress", "contract", "manual"]
InvoiceStatus = Literal["draft", "sent", "partial", "paid", "void"]
PaymentMethod = Literal["cash", "check", "card", "ach", "wire", "stripe", "other"]
# NaN would pass a numeric `> 0` check in PostgreSQL (NaN sorts above every number), so it stops here.
Amount = Annotated[Decimal, Field(allow_inf_nan=False)]
# Quantities and tax rates are measures, not money: JSON numbers, like hours.
Measure = Hours


class InvoiceItemIn(InModel):
    description: Text
    quantity: Amount | None = Field(None, description="default 1")
    unit_price: Amount
    tax_rate: Amount | None = Field(None, description="percent")
    order_item_id: UUID | None = None


class InvoiceCreate(InModel):
    client_id: UUID
    order_id: UUID | None = None
    project_id: UUID | None = None
    kind: InvoiceKind | None = Field(None, description="default manual")
    issue_date: IsoDate | None = None
    due_date: IsoDate | None = None
    currency: Text | None = Field(None, description="default USD")
    notes: Text | None = None
    items: list[InvoiceItemIn] = []


class LinePatch(InModel):
    id: UUID
    description: Text


class InvoicePatch(InModel):
    due_date: IsoDate | None = None
    issue_date: IsoDate | None = None
    notes: Text | None = None
    lines: list[LinePatch] | None = Field(None, description="new descriptions, while the invoice is a draft")
    status: Literal["void"] | None = Field(None, description="void a sent invoice that has no payments")
    void_reason: Text | None = None


class DraftCreate(InModel):
    tax_rate: Amount | None = Field(None, description="percent, on every line")
    due_date: IsoDate | None = None
    notes: Text | None = None


class InvoiceQuery(PageQuery):
    status: InvoiceStatus | None = None
    customer_id: UUID | None = Field(None, description="the client's id")
    order_id: UUID | None = None
    project_id: UUID | None = None


class InvoiceLine(ApiModel):
    id: UUID
    invoice_id: UUID
    sequence: int
    description: str
    quantity: Measure
    unit_price: Money
    tax_rate: Measure
    line_total: Money
    tax_amount: Money
    source_type: str
    order_item_id: UUID | None
    task_id: UUID | None
    contract_line_id: UUID | None


class PaymentApplication(ApiModel):
    id: UUID
    payment_id: UUID
    invoice_id: UUID
    amount: Money
    applied_at: datetime


class Invoice(ApiModel):
    id: UUID
    invoice_number: str | None = Field(description="given when the invoice is sent")
    client_id: UUID
    order_id: UUID | None
    project_id: UUID | None
    kind: str
    status: str
    issue_date: date | None
    due_date: date | None
    currency: str
    notes: str | None
    sent_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    subtotal: Money
    tax_total: Money
    total: Money
    amount_paid: Money
    balance_due: Money
    created_at: datetime
    updated_at: datetime


class InvoiceDetail(Invoice):
    lines: list[InvoiceLine]
    payments: list[PaymentApplication] = Field(description="payments applied to this invoice")


class InvoiceSent(InvoiceDetail):
    checkout_url: str | None = Field(None, description="Stripe Checkout for the balance, when Stripe is on")


class Checkout(ApiModel):
    invoice_id: UUID
    attempt: int
    url: str


class PaymentCreate(InModel):
    client_id: UUID
    method: PaymentMethod
    reference: Text | None = None
    amount: Amount
    currency: Text | None = Field(None, description="default USD")
    received_at: IsoDateTime | None = Field(None, description="default now")


class PaymentQuery(PageQuery):
    customer_id: UUID | None = Field(None, description="the client's id")
    status: Literal["received", "void"] | None = None


class Payment(ApiModel):
    id: UUID
    payment_number: str
    client_id: UUID
    method: str
    reference: str | None
    amount: Money
    currency: str
    received_at: datetime
    status: str
    applied_amount: Money
    unapplied_amount: Money
    created_at: datetime


class PaymentDetail(Payment):
    applications: list[PaymentApplication]


class ApplicationIn(InModel):
    invoice_id: UUID
    amount: Amount


class ApplyIn(InModel):
    applications: list[ApplicationIn] = Field(min_length=1)


class InvoiceBalance(ApiModel):
    invoice_id: UUID
    invoice_number: str | None
    balance_due: Money
    status: str


class Applied(ApiModel):
    payment: PaymentDetail
    invoices: list[InvoiceBalance]


class WebhookReceipt(ApiModel):
    received: bool = True
    outcome: Literal["applied", "duplicate", "already_paid", "ignored"]
