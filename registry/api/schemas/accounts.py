"""Tokens, vocabularies, agencies and users."""

from marshmallow import fields, validate

from registry.api.schemas.common import (
    CODE,
    PageArgsSchema,
    PageSchema,
    Schema,
    one_of,
    required_text,
    text,
)
from registry.domain import vocabulary as vocab
from registry.models import Role


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


LOOKUP_HINT = "Enter part of an agency's name or code."


class AgencyLookupArgsSchema(Schema):
    """The agency finder of the agreement and consent forms (registry.web.agencies.lookup)."""

    q = fields.String(
        required=True,
        validate=[validate.Length(max=100), validate.Regexp(r"\s*\S", error=LOOKUP_HINT)],
        error_messages={"required": LOOKUP_HINT},
    )
    active = fields.Boolean(load_default=False)


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
