"""Request and response shapes of the team API (camelCase on the wire, the database's snake_case inside)."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, Field

from service.api.registry import ApiModel, InModel


def _transportable(value: str) -> str:
    # PostgreSQL text holds neither NUL nor lone surrogates; say so here rather than fail in the driver.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("text must be valid Unicode without NUL characters")
    return value


Text = Annotated[str, AfterValidator(_transportable)]


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
