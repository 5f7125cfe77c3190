"""Marshmallow schemas: the API contract for every input and output."""

from collections.abc import Mapping
from datetime import date, timedelta

import marshmallow
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from registry.domain import vocabulary as vocab
from registry.models import Role


def storable(value: object) -> bool:
    """False for text no database can keep: NUL characters or lone UTF-16 surrogates."""
    if isinstance(value, str):
        return "\x00" not in value and (value.isascii() or _encodes(value))
    if isinstance(value, list):
        return all(storable(item) for item in value)
    return True


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Schema(marshmallow.Schema):
    """Every schema refuses unstorable text up front (a 422 on the field, never a 500)."""

    @pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        if isinstance(data, Mapping):
            errors = {
                key: ["Must not contain NUL characters or invalid Unicode."]
                for key in data
                if not storable(data[key])
            }
            if errors:
                raise ValidationError(errors)
        return data


CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
    error="Use 1 to 40 letters, digits, '-', '_' or '.', starting with a letter or digit.",
)
REFERENCE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$",
    error="Use 1 to 60 letters, digits, '-', '_' or '.', starting with a letter or digit.",
)


def one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error="Must be one of: {choices}.")


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def required_text(max_length: int, **kwargs) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length), **kwargs)


def code_list(choices, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=one_of(choices)), **kwargs)


#: Largest page number: keeps the row offset within a 64-bit integer (SQLite's and
#: PostgreSQL's OFFSET), so an absurd page is a 422 rather than a 500.
MAX_PAGE = 10_000_000
#: Query-string dates stop a day short of date.max: a window ends at the start of the day
#: after its `to`, which must exist (9999-12-31 gives a 422, not a 500).
QUERY_DATES = validate.Range(
    max=date.max - timedelta(days=1), error="Use a date on or before {max}."
)
#: Largest id in a path: ids are 32-bit integer columns; a larger one is simply not found.
MAX_ID = 2**31 - 1


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# --- tokens ---------------------------------------------------------------------------


class TokenRequestSchema(Schema):
    email = required_text(254)
    password = required_text(1000, load_only=True)


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()


# --- vocabularies -------------------------------------------------------------------


class VocabularyEntrySchema(Schema):
    code = fields.String()
    label = fields.String()
    point = fields.String()
    special_category = fields.Boolean()
    criminal_offence = fields.Boolean()
    schedule1_paragraphs = fields.List(fields.Integer())
    part = fields.Integer()
    policy_document = fields.String()


class VocabulariesSchema(Schema):
    purposes = fields.List(fields.Nested(VocabularyEntrySchema))
    data_categories = fields.List(fields.Nested(VocabularyEntrySchema))
    article6 = fields.List(fields.Nested(VocabularyEntrySchema))
    article9 = fields.List(fields.Nested(VocabularyEntrySchema))
    schedule1 = fields.List(fields.Nested(VocabularyEntrySchema))
    article10 = fields.List(fields.Nested(VocabularyEntrySchema))
    sectors = fields.List(fields.Nested(VocabularyEntrySchema))


# --- agencies -----------------------------------------------------------------------


class AgencyUpdateSchema(Schema):
    name = required_text(200)
    sector = fields.String(validate=one_of(vocab.SECTORS))
    ico_registration = text(40, allow_none=True)
    dpo_email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    policy_document = text(200, allow_none=True)
    active = fields.Boolean()


class AgencyCreateSchema(AgencyUpdateSchema):
    code = fields.String(required=True, validate=CODE)
    name = required_text(200)
    sector = fields.String(required=True, validate=one_of(vocab.SECTORS))


class AgencySchema(AgencyCreateSchema):
    active = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class AgencyQueryArgsSchema(PageArgsSchema):
    sector = fields.String(validate=one_of(vocab.SECTORS))
    active = fields.Boolean()


class AgencyPageSchema(PageSchema):
    items = fields.List(fields.Nested(AgencySchema))


# --- users --------------------------------------------------------------------------


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = required_text(200)
    role = fields.String(required=True, validate=one_of(Role))
    agency = fields.String(allow_none=True)
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=12, max=1000, error="Use at least 12 characters."),
    )


class UserUpdateSchema(Schema):
    name = required_text(200)
    role = fields.String(validate=one_of(Role))
    active = fields.Boolean()


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    agency = fields.String(attribute="agency_code", allow_none=True)
    active = fields.Boolean()
    created_at = fields.AwareDateTime()


class UserQueryArgsSchema(PageArgsSchema):
    agency = fields.String()
    role = fields.String(validate=one_of(Role))


class UserPageSchema(PageSchema):
    items = fields.List(fields.Nested(UserSchema))


# --- agreements ---------------------------------------------------------------------


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


# --- consent ------------------------------------------------------------------------


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


# --- audit --------------------------------------------------------------------------


class AuditQueryArgsSchema(PageArgsSchema):
    from_ = fields.Date(data_key="from", validate=QUERY_DATES)
    to = fields.Date(validate=QUERY_DATES)
    format = fields.String(load_default="json", validate=one_of(["json", "jsonl"]))


class AuditEventSchema(Schema):
    seq = fields.Integer()
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    subject_hash = fields.String(allow_none=True)
    details = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEventSchema))


class VerificationSchema(Schema):
    ok = fields.Boolean()
    events = fields.Integer()
    first_broken = fields.Integer(allow_none=True)
