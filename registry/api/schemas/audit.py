"""The audit trail and its integrity check."""

from marshmallow import ValidationError, fields, validate, validates_schema

from registry.api.schemas.common import (
    QUERY_DATES,
    PageArgsSchema,
    PageSchema,
    Schema,
    one_of,
)


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


class VerifyArgsSchema(Schema):
    """An anchor kept from an earlier check: its `events` and `last_hash`, both or neither."""

    events = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "`events` of an earlier intact check, kept outside the registry."},
    )
    last_hash = fields.String(
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error="Must be 64 hexadecimal digits."),
        metadata={"description": "`last_hash` of the same check."},
    )

    @validates_schema
    def both_or_neither(self, data, **kwargs):
        if "events" in data and "last_hash" not in data:
            raise ValidationError("Give the last hash with the event number.", "last_hash")
        if "last_hash" in data and "events" not in data:
            raise ValidationError("Give the event number with the last hash.", "events")


class VerificationSchema(Schema):
    ok = fields.Boolean()
    events = fields.Integer()
    first_broken = fields.Integer(allow_none=True)
    last_hash = fields.String(
        allow_none=True,
        metadata={
            "description": "The last event's hash when the chain is intact (else null). Keep it "
            "with `events` outside the registry, and give both to a later check, which then "
            "says whether the chain still holds them (`anchor_ok`)."
        },
    )
    anchor_ok = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "Given an anchor: whether event `events` still has `last_hash`. "
            "False means the chain was cut short or rewritten whole since (`ok` is then false). "
            "Null without an anchor, or when the chain breaks first."
        },
    )
