"""The audit trail, its export for outside verification, and the integrity check."""

import json

from flask import Response, current_app, stream_with_context
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import and_, select

from registry import audit
from registry.api.blueprint import Blueprint
from registry.api.schemas import (
    AuditPageSchema,
    AuditQueryArgsSchema,
    VerificationSchema,
    VerifyArgsSchema,
)
from registry.auth import require_role
from registry.extensions import db
from registry.models import AuditEvent, Role
from registry.queries import in_days, paginate

blp = Blueprint("audit_api", __name__, url_prefix="/audit", description="Audit trail")
AUDITORS = (Role.AUDITOR, Role.ADMIN)


def _window(args: dict):
    conditions = in_days(AuditEvent.at, args)
    return and_(*conditions) if conditions else None


@blp.route("")
class AuditTrail(MethodView):
    @require_role(*AUDITORS)
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    @blp.alt_response(200, content_type="application/x-ndjson", description="format=jsonl")
    def get(self, args):
        """Read the audit trail with each event's hash and its predecessor's."""
        window = _window(args)
        audit.record(
            "audit.read", actor_id=current_user.id, details={k: str(v) for k, v in args.items()}
        )
        db.session.commit()
        if args["format"] == "jsonl":
            return _jsonl(window)
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if window is not None:
            query = query.where(window)
        return paginate(query, args["page"], args["per_page"])


def _jsonl(window) -> Response:
    """Each event as AuditEventSchema dumps it (`audit.exported_events`), a line each."""

    def lines():
        for event in audit.exported_events(window):
            yield json.dumps(event, separators=(",", ":")) + "\n"

    return Response(
        stream_with_context(lines()),
        mimetype="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit-trail.jsonl"'},
    )


@blp.route("/verify")
class AuditVerify(MethodView):
    @require_role(*AUDITORS)
    @blp.arguments(VerifyArgsSchema, location="query")
    @blp.response(200, VerificationSchema)
    def get(self, args):
        """Check that no event of the trail was changed, inserted or removed.

        Given `events` and `last_hash` from an earlier check, kept outside the registry, it
        also says whether the chain still holds them (`anchor_ok`): a chain rewritten whole,
        hashes and head included, passes every other test.

        The whole chain is read, which takes about 20 s at 1.5M events. So that a proxy in
        between does not give up on a silent connection, the answer starts at once and
        sends a newline after each 5,000 events checked, then the JSON object: white space
        before a JSON value is valid JSON, and any JSON parser reads the whole body.
        """
        check = audit.ChainCheck(anchor=audit.Anchor.given(args))

        def body():
            for _ in check.batches():
                yield "\n"
            yield current_app.json.dumps(VerificationSchema().dump(check.result)) + "\n"

        return Response(stream_with_context(body()), mimetype="application/json")
