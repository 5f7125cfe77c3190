"""Consent records, share checks and the decisions recorded on them."""

from marshmallow import ValidationError, fields, validate, validates_schema

from registry.api.schemas.agreements import LawfulBasisSchema
from registry.api.schemas.common import (
    QUERY_DATES,
    PageArgsSchema,
    PageSchema,
    Schema,
    code_list,
    one_of,
    required_text,
    text,
)
from registry.domain import vocabulary as vocab


class ConsentCreateSchema(Schema):
    status = fields.String(required=True, validate=one_of(vocab.CONSENT_STATUSES))
    agreement = fields.String(allow_none=True)
    recipients = fields.List(fields.String(validate=validate.Length(min=1, max=40)))
    purposes = code_list(vocab.PURPOSES)
    data_categories = code_list(vocab.DATA_CATEGORIES)
    given_by = fields.String(required=True, validate=one_of(vocab.GIVEN_BY))
    method = fields.String(required=True, validate=one_of(vocab.CONSENT_METHODS))
    effective_from = fields.Date()
    expires_on = fields.Date(allow_none=True)
    evidence = text(2000, allow_none=True)
    notes = text(5000, allow_none=True)


class ConsentSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    agreement = fields.Function(lambda r: r.agreement.reference if r.agreement else None)
    recipients = fields.List(fields.String())
    purposes = fields.List(fields.String())
    data_categories = fields.List(fields.String())
    given_by = fields.String()
    method = fields.String()
    effective_from = fields.Date()
    expires_on = fields.Date(allow_none=True)
    evidence = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.Function(lambda r: r.recorded_by.name)
    recorded_by_agency = fields.Function(lambda r: r.recorded_by.agency_code)
    recorded_at = fields.AwareDateTime()


class ConsentPageSchema(PageSchema):
    items = fields.List(fields.Nested(ConsentSchema))


# --- checks and decisions -----------------------------------------------------------


class CheckRequestSchema(Schema):
    provider = required_text(40)
    recipient = required_text(40)
    subject = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The person's identifier; kept only as a keyed hash"},
    )
    purpose = fields.String(required=True, validate=one_of(vocab.PURPOSES))
    data_categories = code_list(
        vocab.DATA_CATEGORIES,
        required=True,
        validate=validate.Length(min=1, error="Name at least one data category."),
    )
    date = fields.Date(load_default=None)
    risk_of_harm = fields.Boolean(load_default=False)

    @validates_schema
    def provider_is_not_recipient(self, data, **kwargs):
        if data.get("provider") and data.get("provider") == data.get("recipient"):
            raise ValidationError("Must differ from provider.", "recipient")


class BatchRequestSchema(Schema):
    checks = fields.List(
        fields.Nested(CheckRequestSchema),
        required=True,
        validate=validate.Length(min=1, max=1000, error="Send 1 to 1000 checks."),
    )


class DecisionCreateSchema(Schema):
    shared = fields.Boolean(required=True)
    justification = text(5000, allow_none=True)
    no_consent_reason = fields.String(allow_none=True, validate=one_of(vocab.NO_CONSENT_REASONS))
    information_shared = text(5000, allow_none=True)
    method = text(200, allow_none=True)
    recipient_contact = text(200, allow_none=True)
    person_informed = fields.String(allow_none=True, validate=one_of(vocab.PERSON_INFORMED))


class DecisionSchema(DecisionCreateSchema):
    id = fields.Integer()
    check_id = fields.Integer()
    recorded_by = fields.Function(lambda d: d.recorded_by.name)
    recorded_at = fields.AwareDateTime()


class AgreementRefSchema(Schema):
    reference = fields.String()
    version = fields.Integer()


class CheckConsentSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    given_by = fields.String()
    effective_from = fields.Date()
    expires_on = fields.Date(allow_none=True)


class ReasonCodeSchema(Schema):
    code = fields.String()
    message = fields.String()


class CheckResultSchema(Schema):
    id = fields.Integer()
    outcome = fields.String()
    reasons = fields.List(fields.Nested(ReasonCodeSchema))
    agreement = fields.Method("_agreement", allow_none=True)
    also_covered_by = fields.List(fields.Nested(AgreementRefSchema))
    lawful_basis = fields.Nested(LawfulBasisSchema, allow_none=True)
    consent = fields.Nested(CheckConsentSchema, allow_none=True)
    requires_justification = fields.Boolean()
    valid_until = fields.Date(allow_none=True)
    checked_at = fields.AwareDateTime()
    provider = fields.Function(lambda c: c.provider.code)
    recipient = fields.Function(lambda c: c.recipient.code)
    purpose = fields.String()
    data_categories = fields.List(fields.String())
    date = fields.Date(attribute="on")
    risk_of_harm = fields.Boolean()
    checked_by = fields.Function(lambda c: c.checked_by.name)
    decision = fields.Nested(DecisionSchema, allow_none=True)

    def _agreement(self, check):
        if check.agreement_reference is None:
            return None
        return {"reference": check.agreement_reference, "version": check.agreement_version}


class CheckListSchema(Schema):
    checks = fields.List(fields.Nested(CheckResultSchema))


class CheckQueryArgsSchema(PageArgsSchema):
    from_ = fields.Date(data_key="from", validate=QUERY_DATES)
    to = fields.Date(validate=QUERY_DATES)
    agency = fields.String()
    outcome = fields.String(validate=one_of(["share", "share_with_justification", "do_not_share"]))


class CheckPageSchema(PageSchema):
    items = fields.List(fields.Nested(CheckResultSchema))
