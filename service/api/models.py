"""Request and response shapes of the team API (camelCase on the wire, the database's snake_case inside)."""

import re
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, Field

from service.api.registry import ApiModel, InModel


def _transportable(value: str) -> str:
    # PostgreSQL text holds neither NUL nor lone surrogates; say so here rather than fail in the driver.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("text must be valid Unicode without NUL characters")
    return value


Text = Annotated[str, AfterValidator(_transportable)]


_EXAMPLE = {date: "2024-05-31", datetime: "2024-05-31T14:30:00Z"}
# The extended form only: fromisoformat alone also reads "20240531" and other basic forms people do not mean.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?![\d])")


def _iso_string(kind: type[date]):
    """Lax pydantic reads 0 (or "0") as 1970-01-01, a Unix timestamp; on this API a date is an ISO 8601 string."""

    def parse(value):
        if isinstance(value, date):  # built in Python, not sent by a caller
            return value
        if not isinstance(value, str) or not _ISO_DAY.match(value):
            raise ValueError(f"must be an ISO 8601 {kind.__name__} string, e.g. {_EXAMPLE[kind]}")
        return kind.fromisoformat(value)  # a ValueError names what is wrong with it

    return BeforeValidator(parse)


# Every date and datetime of a request body or query is one of these.
IsoDate = Annotated[date, _iso_string(date)]
IsoDateTime = Annotated[datetime, _iso_string(datetime)]


class PageQuery(InModel):
    page_number: int = Field(1, ge=1, le=1_000_000, alias="page[number]")
    page_size: int = Field(25, ge=1, le=100, alias="page[size]")


class Problem(ApiModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = Field(None, description="SQLSTATE, when the database raised it")
    hint: str | None = None
    request_id: str
    errors: list[dict] | None = Field(None, description="field errors of a 422")


class TokenRequest(InModel):
    # Bounded, so a huge value is refused here, the same for every account, before it reaches the throttle's keys.
    tenant: Text = Field(description="the tenant's slug", max_length=63)
    email: Text = Field(max_length=320)
    password: Text = Field(max_length=1024)


class Token(ApiModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class Me(ApiModel):
    id: UUID
    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    email: str
    full_name: str
    role: str
    permissions: list[str]


class Address(ApiModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class AddressIn(InModel):
    line1: Text | None = None
    line2: Text | None = None
    city: Text | None = None
    region: Text | None = None
    postal_code: Text | None = None
    country: Text | None = None


class Client(ApiModel):
    id: UUID
    account_code: str
    name: str
    channel: str
    phone: str | None
    email: str | None
    billing_address: Address | None
    shipping_address: Address | None
    tax_id: str | None = Field(description="null unless the caller may read tax ids")
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


class ClientPatch(InModel):
    account_code: Text | None = None
    name: Text | None = None
    channel: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    billing_address: AddressIn | None = None
    shipping_address: AddressIn | None = None
    tax_id: Text | None = None


class ClientCreate(ClientPatch):
    account_code: Text
    name: Text
    channel: Text


class ClientQuery(PageQuery):
    q: Text | None = Field(None, description="part of the name or account code")
    channel: Text | None = None
    archived: bool = False


class Contact(ApiModel):
    id: UUID
    client_id: UUID
    name: str
    role: str | None
    phone: str | None
    email: str | None
    is_primary: bool
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


class ContactPatch(InModel):
    name: Text | None = None
    role: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    is_primary: bool | None = None


class ContactCreate(ContactPatch):
    name: Text


class ContactQuery(PageQuery):
    q: Text | None = Field(None, description="part of the name or email")
    archived: bool = False


class Health(ApiModel):
    status: str
