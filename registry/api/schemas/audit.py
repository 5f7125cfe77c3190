"""The audit trail and its integrity check."""

from marshmallow import fields

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


class VerificationSchema(Schema):
    ok = fields.Boolean()
    events = fields.Integer()
    first_broken = fields.Integer(allow_none=True)
    last_hash = fields.String(
        allow_none=True,
        metadata={
            "description": "The last event's hash when the chain is intact (else null). Keep it "
            "with `events` outside the registry: a later export or check must still contain "
            "event `events` with this hash, or the chain was cut short or rewritten."
        },
    )
