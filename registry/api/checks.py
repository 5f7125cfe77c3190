"""Check a proposed share, read past checks, record what was done."""

from flask.views import MethodView
from flask_login import current_user

from registry import audit
from registry.api.blueprint import Blueprint
from registry.api.schemas import (
    MAX_ID,
    BatchRequestSchema,
    CheckListSchema,
    CheckPageSchema,
    CheckQueryArgsSchema,
    CheckRequestSchema,
    CheckResultSchema,
    DecisionCreateSchema,
    DecisionSchema,
)
from registry.auth import require_role
from registry.extensions import db
from registry.models import Role
from registry.queries import checks_query, paginate
from registry.services import checks as service

blp = Blueprint("checks_api", __name__, url_prefix="/checks", description="Share checks")
CHECKERS = (Role.PRACTITIONER, Role.AGENCY_LEAD)
READERS = (Role.PRACTITIONER, Role.AGENCY_LEAD, Role.AUDITOR, Role.ADMIN)


@blp.route("")
class Checks(MethodView):
    @require_role(*CHECKERS)
    @blp.arguments(CheckRequestSchema)
    @blp.response(201, CheckResultSchema)
    def post(self, data):
        """Ask whether a proposed share is covered; the question and answer are kept."""
        check = service.run_check(data, current_user)
        db.session.commit()
        return check

    @require_role(*READERS)
    @blp.arguments(CheckQueryArgsSchema, location="query")
    @blp.response(200, CheckPageSchema)
    def get(self, args):
        """List checks (your agency's, or all for auditors and admins)."""
        page = paginate(checks_query(args, current_user), args["page"], args["per_page"])
        audit.record(
            "check.list",
            actor_id=current_user.id,
            details={k: str(v) for k, v in args.items()} | {"returned": len(page["items"])},
        )
        db.session.commit()
        return page


@blp.route("/batch")
class CheckBatch(MethodView):
    @require_role(*CHECKERS)
    @blp.arguments(BatchRequestSchema)
    @blp.response(201, CheckListSchema)
    def post(self, data):
        """Check many proposed shares at once; results come back in the same order."""
        checks = service.run_batch(data["checks"], current_user)
        db.session.commit()
        return {"checks": checks}


@blp.route(f"/<int(max={MAX_ID}):check_id>")
class CheckById(MethodView):
    @require_role(*READERS)
    @blp.response(200, CheckResultSchema)
    def get(self, check_id):
        """Show one check and the decision recorded on it (the read is audited)."""
        check = service.get_check(check_id, current_user)
        db.session.commit()
        return check


@blp.route(f"/<int(max={MAX_ID}):check_id>/decision")
class Decision(MethodView):
    @require_role(*CHECKERS)
    @blp.arguments(DecisionCreateSchema)
    @blp.response(201, DecisionSchema)
    def post(self, data, check_id):
        """Record what you did after the check (once)."""
        decision = service.record_decision(check_id, data, current_user)
        db.session.commit()
        return decision
