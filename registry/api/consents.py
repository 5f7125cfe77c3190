"""A person's consent records, addressed by their identifier (hashed on arrival)."""

from flask.views import MethodView
from flask_login import current_user

from registry.api.blueprint import Blueprint
from registry.api.schemas import (
    ConsentCreateSchema,
    ConsentPageSchema,
    ConsentSchema,
    PageArgsSchema,
)
from registry.auth import require_role
from registry.extensions import db
from registry.services.consents import READERS, RECORDERS, consent_history, record_consent

blp = Blueprint("consents_api", __name__, url_prefix="/subjects", description="Consent records")


@blp.route("/<subject>/consents")
class Consents(MethodView):
    @require_role(*READERS)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ConsentPageSchema)
    def get(self, args, subject):
        """Read a person's consent history, newest first (the read is audited)."""
        records = consent_history(subject, current_user)
        db.session.commit()
        start = (args["page"] - 1) * args["per_page"]
        return {
            "items": records[start : start + args["per_page"]],
            "total": len(records),
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @require_role(*RECORDERS)
    @blp.arguments(ConsentCreateSchema)
    @blp.response(201, ConsentSchema)
    def post(self, data, subject):
        """Record a consent, refusal or withdrawal (records are never edited or deleted)."""
        record = record_consent(subject, data, current_user)
        db.session.commit()
        return record
