"""Request and response shapes of the contracts API: templates, client-owned contracts, client contracts
(assignments) and contract billing. Ownership, live status and billing guards are the database's; these are shapes."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from service.api.delivery_models import Hours, Money
from service.api.models import IsoDate, PageQuery, Text
from service.api.registry import ApiModel, InModel

Frequency = Literal["monthly", "quarterly", "annually"]
LineType = Literal["fixed", "hourly"]
AssignmentStatus = Literal["upcoming", "active", "expiring", "expired", "terminated", "pending_renewal", "inactive"]
# NaN would pass a numeric `>= 0` check in PostgreSQL (NaN sorts above every number), so it stops here.
Amount = Annotated[Decimal, Field(allow_inf_nan=False)]


class TemplateLineIn(InModel):
    name: Text
    line_type: LineType
    amount: Amount | None = Field(None, description="per billing period, for a fixed line")
    hourly_rate: Amount | None = Field(None, description="for an hourly line")


class ContractTemplateCreate(InModel):
    name: Text
    description: Text | None = None
    billing_frequency: Frequency | None = Field(None, description="default monthly")
    currency: Text | None = Field(None, description="default USD")
    lines: list[TemplateLineIn] = []


class TemplateLine(ApiModel):
    id: UUID
    sequence: int
    name: str
    line_type: str
    amount: Money | None
    hourly_rate: Money | None


class ContractTemplate(ApiModel):
    id: UUID
    name: str
    description: str | None
    billing_frequency: str
    currency: str
    created_at: datetime
    lines: list[TemplateLine]


class Instantiate(InModel):
    client_id: UUID = Field(description="the client that will own the contract")
    name: Text | None = Field(None, description="defaults to the template's")


class ServiceIn(InModel):
    service_name: Text
    quantity: Amount | None = Field(None, description="default 1")


class ContractLineIn(TemplateLineIn):
    services: list[ServiceIn] = []


class ContractCreate(InModel):
    name: Text
    description: Text | None = None
    owner_client_id: UUID | None = Field(None, description="required unless the contract is a template")
    is_template: bool | None = None
    billing_frequency: Frequency | None = Field(None, description="default monthly")
    currency: Text | None = Field(None, description="default USD")
    lines: list[ContractLineIn] = []


class ContractPatch(InModel):
    name: Text | None = None
    description: Text | None = None
    status: Literal["draft", "published", "archived"] | None = Field(
        None, description="draft -> published -> archived, never back"
    )
    billing_frequency: Frequency | None = Field(None, description="fixed once an assignment has been billed")
    currency: Text | None = Field(None, description="fixed once an assignment has been billed")


class ContractQuery(PageQuery):
    owner_client_id: UUID | None = None
    is_template: bool | None = None


class LineService(ApiModel):
    service_name: str
    quantity: Hours


class ContractLine(TemplateLine):
    services: list[LineService]


class Contract(ApiModel):
    id: UUID
    name: str
    description: str | None
    owner_client_id: UUID | None
    is_template: bool
    template_id: UUID | None
    status: str = Field(description="header / draft state only; live status is the client contract's")
    billing_frequency: str
    currency: str
    created_at: datetime
    updated_at: datetime
    lines: list[ContractLine]


class AssignmentCreate(InModel):
    client_id: UUID = Field(description="must be the contract's owner")
    start_date: IsoDate | None = Field(None, description="default today")
    end_date: IsoDate | None = None
    po_number: Text | None = None


class ClientContract(ApiModel):
    id: UUID
    client_id: UUID
    contract_id: UUID
    contract_name: str
    billing_frequency: str
    start_date: date
    end_date: date | None
    is_active: bool
    renewal_state: str
    po_number: str | None
    terminated_at: datetime | None
    status: AssignmentStatus = Field(description="derived from the assignment's dates, activity and renewal")
    created_at: datetime
    updated_at: datetime


class ClientContractQuery(PageQuery):
    status: AssignmentStatus | None = None


class Terminate(InModel):
    end_date: IsoDate | None = Field(None, description="default today; never later than the current end")


class ContractInvoiceCreate(InModel):
    period_start: IsoDate
    period_end: IsoDate
    tax_rate: Amount | None = Field(None, description="percent, on every line")
    due_date: IsoDate | None = None
    notes: Text | None = None


class ContractInvoiceLine(ApiModel):
    id: UUID
    sequence: int
    description: str
    quantity: Hours
    unit_price: Money
    tax_rate: Hours
    line_total: Money
    tax_amount: Money
    contract_line_id: UUID | None


class ContractInvoice(ApiModel):
    id: UUID
    client_id: UUID
    kind: str
    status: str
    issue_date: date | None
    due_date: date | None
    currency: str
    subtotal: Money
    tax_total: Money
    total: Money
    lines: list[ContractInvoiceLine]
