"""Request and response shapes of the sales API: products, leads, quotes, orders, job tickets and inventory.
Money, statuses and every rule are the database's; a total sent in a body is refused here as an unknown field."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from service.api.billing_models import Amount, Measure, PaymentMethod
from service.api.delivery_models import Money
from service.api.models import IsoDate, IsoDateTime, PageQuery, Text
from service.api.registry import ApiModel, InModel

LeadStatus = Literal["new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"]
QuoteStatus = Literal["draft", "sent", "accepted", "rejected", "expired"]
OrderStatus = Literal["pending", "in_production", "on_hold", "ready", "completed", "cancelled"]
Priority = Literal["low", "normal", "high", "rush"]
Fulfillment = Literal["production", "stock", "service", "shipping"]


class ProductPatch(InModel):
    sku: Text | None = None
    name: Text | None = None
    product_type: Literal["product", "material", "service"] | None = None
    description: Text | None = None
    default_price: Amount | None = None
    cost_price: Amount | None = None
    tax_rate: Amount | None = None
    uom: Text | None = None
    track_inventory: bool | None = None
    archived: bool | None = None


class ProductCreate(ProductPatch):
    sku: Text
    name: Text


class Product(ApiModel):
    id: UUID
    sku: str
    name: str
    product_type: str
    description: str | None
    default_price: Money
    cost_price: Money
    tax_rate: Measure
    uom: str
    track_inventory: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ProductQuery(PageQuery):
    q: Text | None = Field(None, description="part of the SKU or name")
    archived: bool = False


class LeadPatch(InModel):
    name: Text | None = None
    source: Text | None = None
    client_id: UUID | None = None
    status: LeadStatus | None = None
    contact_name: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    estimated_value: Amount | None = None
    expected_close: IsoDate | None = None
    notes: Text | None = None


class LeadCreate(LeadPatch):
    name: Text
    source: Text


class Lead(ApiModel):
    id: UUID
    name: str
    source: str
    client_id: UUID | None
    status: str
    contact_name: str | None
    email: str | None
    phone: str | None
    estimated_value: Money | None
    expected_close: date | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


class LeadQuery(PageQuery):
    status: LeadStatus | None = None
    customer_id: UUID | None = None


class LineIn(InModel):
    product_id: UUID | None = None
    description: Text | None = Field(None, description="default: the product's name")
    quantity: Amount | None = Field(None, description="default 1")
    unit_price: Amount | None = Field(None, description="default: the product's price")
    discount_pct: Amount | None = None
    tax_rate: Amount | None = Field(None, description="percent; default: the product's")
    fulfillment_type: Fulfillment | None = None
    required_date: IsoDate | None = None


class QuotePatch(InModel):
    client_id: UUID | None = None
    lead_id: UUID | None = None
    project_type: Text | None = None
    title: Text | None = None
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = None
    currency: Text | None = None
    notes: Text | None = None
    items: list[LineIn] | None = Field(None, description="replaces every item (drafts only)")


class QuoteCreate(QuotePatch):
    client_id: UUID
    project_type: Text = Field(description="the order's type: picks the project template on acceptance")
    items: list[LineIn] = []


class QuoteQuery(PageQuery):
    status: QuoteStatus | None = None
    customer_id: UUID | None = None


class RejectIn(InModel):
    reason: Text | None = None


class LineOut(ApiModel):
    id: UUID
    sequence: int
    product_id: UUID | None
    description: str
    quantity: Measure
    unit_price: Money
    discount_pct: Measure
    tax_rate: Measure
    discount_amount: Money
    line_total: Money
    tax_amount: Money
    fulfillment_type: str
    required_date: date | None


class Quote(ApiModel):
    id: UUID
    quote_number: str
    lead_id: UUID | None
    client_id: UUID
    project_type: str
    title: str | None
    status: str
    valid_from: date
    valid_until: date
    currency: str
    notes: str | None
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    sent_at: datetime | None
    accepted_by: UUID | None
    accepted_at: datetime | None
    rejected_at: datetime | None
    expired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class QuoteDetail(Quote):
    items: list[LineOut]


class ProjectRef(ApiModel):
    id: UUID | None
    project_code: str | None


class OrderIn(InModel):
    """From a quote (quoteId) or manual (clientId, projectType, items)."""

    quote_id: UUID | None = None
    client_id: UUID | None = None
    project_type: Text | None = None
    po_number: Text | None = None
    priority: Priority | None = None
    promised_date: IsoDate | None = None
    currency: Text | None = None
    notes: Text | None = None
    items: list[LineIn] | None = None


class OrderPatch(InModel):
    po_number: Text | None = None
    priority: Priority | None = None
    promised_date: IsoDate | None = None
    notes: Text | None = None
    status: OrderStatus | None = None


class OrderQuery(PageQuery):
    status: OrderStatus | None = None
    customer_id: UUID | None = None
    created_from: IsoDate | None = None
    created_to: IsoDate | None = Field(None, description="inclusive")


class Order(ApiModel):
    id: UUID
    order_number: str
    quote_id: UUID | None
    client_id: UUID
    project_type: str
    status: str
    po_number: str | None
    priority: str
    promised_date: date | None
    currency: str
    notes: str | None
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    deposit_required: Money
    deposit_received: Money
    deposit_outstanding: Money
    project: ProjectRef
    created_at: datetime
    updated_at: datetime


class OrderItem(LineOut):
    quote_item_id: UUID | None
    production_notes: str | None


class JobTicket(ApiModel):
    id: UUID
    ticket_code: str
    project_id: UUID
    order_id: UUID | None
    qr_payload: str
    metadata: dict
    generated_at: datetime
    last_scanned_at: datetime | None
    last_station: str | None
    pdf_url: str


class OrderDetail(Order):
    items: list[OrderItem]
    job_tickets: list[JobTicket] = []


class Accepted(ApiModel):
    quote: Quote
    order: Order
    project: ProjectRef


class DepositIn(InModel):
    amount: Amount
    method: PaymentMethod
    reference: Text | None = None
    received_at: IsoDateTime | None = None


class DepositRecorded(ApiModel):
    payment_id: UUID
    invoice_id: UUID
    applied: Money
    order: Order | None = Field(description="null unless the caller may read orders")


class ScanIn(InModel):
    station: Text


class Scan(ApiModel):
    scan_id: UUID
    ticket_id: UUID
    ticket_code: str
    project_id: UUID
    stage_id: UUID | None
    scanned_at: datetime


class LevelQuery(PageQuery):
    product_id: UUID | None = None
    location_id: UUID | None = None
    below_reorder_point: bool | None = None


class Level(ApiModel):
    product_id: UUID
    sku: str
    product_name: str
    uom: str
    location_id: UUID
    location_name: str
    quantity_on_hand: Measure
    reorder_point: Measure
    below_reorder_point: bool
    updated_at: datetime


class LevelIn(InModel):
    product_id: UUID
    location_id: UUID
    reorder_point: Amount


class MovementIn(InModel):
    product_id: UUID
    location_id: UUID
    movement_type: Literal["consume", "receive", "adjust", "transfer"]
    quantity: Amount = Field(description="positive; for adjust, the signed change")
    to_location_id: UUID | None = None
    order_item_id: UUID | None = None
    reference: Text | None = None
    note: Text | None = None
    occurred_at: IsoDateTime | None = None


class MovementQuery(PageQuery):
    product_id: UUID | None = None
    location_id: UUID | None = None


class Movement(ApiModel):
    id: UUID
    product_id: UUID
    location_id: UUID
    to_location_id: UUID | None
    order_item_id: UUID | None
    movement_type: str
    quantity: Measure
    reference: str | None
    note: str | None
    created_by: UUID | None
    occurred_at: datetime
