"""The filters each report accepts, validated once for the API (422 per field) and the CLI."""

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from registry.api.schemas import QUERY_DATES, Schema
from registry.extensions import db
from registry.models import Agency

STATUSES = ("draft", "active", "suspended", "terminated", "expired")
OUTCOMES = ("share", "share_with_justification", "do_not_share")


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error="Must be one of: {choices}.")


def _known_agency(code: str) -> None:
    if db.session.scalar(select(Agency.id).where(Agency.code == code)) is None:
        raise ValidationError(f"Unknown agency code: {code}.")


class _DateRange(Schema):
    from_ = fields.Date(
        data_key="from", validate=QUERY_DATES, metadata={"description": "First UK day included"}
    )
    to = fields.Date(validate=QUERY_DATES, metadata={"description": "Last UK day included"})

    @validates_schema
    def _in_order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Must not be before 'from'.", "to")


def args_schema(name: str, formats: tuple[str, ...], *, dated=False, agency=True, **extra):
    """A query-args schema class: `format` (default the first format), `agency`, and extras."""
    attributes = {
        "FORMATS": formats,
        "format": fields.String(load_default=formats[0], validate=_one_of(formats)),
    }
    if agency:
        attributes["agency"] = fields.String(validate=_known_agency)
    return type(name, (_DateRange if dated else Schema,), attributes | extra)


AgreementArgs = args_schema(
    "AgreementReportArgs",
    ("csv", "json", "xlsx", "pdf"),
    status=fields.String(validate=_one_of(STATUSES)),
)
ReviewDueArgs = args_schema(
    "ReviewDueReportArgs",
    ("csv", "json", "xlsx"),
    within_days=fields.Integer(load_default=30, validate=validate.Range(min=0, max=3660)),
)
DecisionArgs = args_schema(
    "DecisionReportArgs",
    ("csv", "json", "xlsx"),
    dated=True,
    outcome=fields.String(validate=_one_of(OUTCOMES)),
    shared=fields.Boolean(metadata={"description": "Only checks whose decision was this"}),
)
CoverageArgs = args_schema(
    "CoverageReportArgs",
    ("json", "csv", "svg"),
    covered=fields.Boolean(
        metadata={"description": "Only the pairs with (true) or without (false) an agreement"}
    ),
)
AccessArgs = args_schema("AccessReportArgs", ("csv", "json", "xlsx"), dated=True)
AuditArgs = args_schema("AuditReportArgs", ("csv", "json"), dated=True, agency=False)
