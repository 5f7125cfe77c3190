"""Agreements: drafting, amending, lifecycle actions and what is read back."""

from marshmallow import ValidationError, fields, validate

from registry.api.schemas.common import (
    REFERENCE,
    PageArgsSchema,
    PageSchema,
    Schema,
    code_list,
    one_of,
    required_text,
    text,
)
from registry.domain import vocabulary as vocab


class PartySchema(Schema):
    agency = fields.String(required=True, validate=validate.Length(min=1, max=40))
    role = fields.String(required=True, validate=one_of(vocab.PARTY_ROLES))


class LawfulBasisSchema(Schema):
    article6 = fields.String(allow_none=True, validate=one_of(vocab.ARTICLE6))
    article9 = fields.String(allow_none=True, validate=one_of(vocab.ARTICLE9))
    schedule1 = fields.String(allow_none=True, validate=one_of(vocab.SCHEDULE1))
    article10 = fields.String(allow_none=True, validate=one_of(vocab.ARTICLE10))
    statutory_gateways = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        validate=validate.Length(max=20),
    )


def _unique(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("List each code once.")


class AgreementUpdateSchema(Schema):
    title = required_text(300)
    description = text(10000, allow_none=True)
    purposes = code_list(vocab.PURPOSES, validate=_unique)
    data_categories = code_list(vocab.DATA_CATEGORIES, validate=_unique)
    parties = fields.List(
        fields.Nested(PartySchema),
        validate=validate.Length(min=2, error="An agreement needs at least two parties."),
    )
    lawful_basis = fields.Nested(LawfulBasisSchema)
    consent_required = fields.Boolean()
    safeguarding_override = fields.Boolean()
    effective_from = fields.Date(allow_none=True)
    review_date = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    retention = text(2000, allow_none=True)
    security_measures = text(5000, allow_none=True)
    dpia_reference = text(200, allow_none=True)


class AgreementCreateSchema(AgreementUpdateSchema):
    reference = fields.String(required=True, validate=REFERENCE)
    parties = fields.List(
        fields.Nested(PartySchema),
        required=True,
        validate=validate.Length(min=2, error="An agreement needs at least two parties."),
    )


class SignatureSchema(Schema):
    agency = fields.String()
    signed_by = fields.String()
    signed_at = fields.AwareDateTime()


class AgreementTermsSchema(Schema):
    version = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    purposes = fields.List(fields.String())
    data_categories = fields.List(fields.String())
    parties = fields.List(fields.Nested(PartySchema))
    lawful_basis = fields.Nested(LawfulBasisSchema)
    consent_required = fields.Boolean()
    safeguarding_override = fields.Boolean()
    effective_from = fields.Date(allow_none=True)
    review_date = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    retention = fields.String(allow_none=True)
    security_measures = fields.String(allow_none=True)
    dpia_reference = fields.String(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureSchema))
    awaiting_signatures = fields.List(fields.String())
    activation_problems = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    warnings = fields.List(fields.String())


class VersionSummarySchema(Schema):
    version = fields.Integer()
    state = fields.String(metadata={"description": "draft, in_force or superseded"})
    created_at = fields.AwareDateTime()
    activated_on = fields.Date(allow_none=True)
    replaced_on = fields.Date(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureSchema))
    changed_fields = fields.List(fields.String())


class AgreementEventSchema(Schema):
    kind = fields.String()
    on = fields.Date()
    reason = fields.String(allow_none=True)
    by = fields.String()
    at = fields.AwareDateTime()


class AgreementSchema(AgreementTermsSchema):
    reference = fields.String()
    status = fields.String(
        metadata={"description": "draft, active, suspended, terminated, expired"}
    )
    terminated_on = fields.Date(allow_none=True)
    versions = fields.List(fields.Nested(VersionSummarySchema))
    pending_version = fields.Nested(AgreementTermsSchema, allow_none=True)
    events = fields.List(fields.Nested(AgreementEventSchema))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class AgreementQueryArgsSchema(PageArgsSchema):
    agency = fields.String()
    status = fields.String(
        validate=one_of(["draft", "active", "suspended", "terminated", "expired"])
    )
    purpose = fields.String(validate=one_of(vocab.PURPOSES))
    q = fields.String(metadata={"description": "Search in reference and title"})


class AgreementPageSchema(PageSchema):
    items = fields.List(fields.Nested(AgreementSchema))


class ReasonSchema(Schema):
    reason = required_text(2000)


class OptionalReasonSchema(Schema):
    reason = text(2000, allow_none=True)
