"""How values travel: camelCase JSON outside, the database's snake_case inside; ISO dates only; money as exact
decimal strings, measures (hours, quantities, percentages) as JSON numbers; text PostgreSQL can store."""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Responses: camelCase out; a column a view gains later is ignored until the model is made again."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore"
    )


class InModel(ApiModel):
    """Request bodies and queries: only the camelCase names; an unknown field is a mistake worth a 422."""

    model_config = ConfigDict(extra="forbid", validate_by_name=False)


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


IsoDate = Annotated[date, _iso_string(date)]
IsoDateTime = Annotated[datetime, _iso_string(datetime)]
# NaN would pass a numeric `> 0` check in PostgreSQL (NaN sorts above every number), so it stops here.
Number = Annotated[Decimal, Field(allow_inf_nan=False)]
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]
Measure = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
