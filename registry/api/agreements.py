"""Data-sharing agreements: draft, amend, sign, suspend, resume, terminate, read."""

from flask.views import MethodView
from flask_login import current_user

from registry.api.blueprint import Blueprint
from registry.api.schemas import (
    AgreementCreateSchema,
    AgreementPageSchema,
    AgreementQueryArgsSchema,
    AgreementSchema,
    AgreementUpdateSchema,
    OptionalReasonSchema,
    ReasonSchema,
)
from registry.auth import ANY_ROLE, require_role
from registry.extensions import db
from registry.models import Role
from registry.permissions import ensure_can_view_agreement
from registry.presenters import agreement_view
from registry.queries import agreements_query, paginate
from registry.services import agreements as service
from registry.services.lookups import get_agreement

blp = Blueprint(
    "agreements_api", __name__, url_prefix="/agreements", description="Data-sharing agreements"
)
MANAGERS = (Role.ADMIN, Role.AGENCY_LEAD)


def _committed_view(agreement) -> dict:
    db.session.commit()
    return agreement_view(agreement)


@blp.route("")
class Agreements(MethodView):
    @require_role(*ANY_ROLE)
    @blp.arguments(AgreementQueryArgsSchema, location="query")
    @blp.response(200, AgreementPageSchema)
    def get(self, args):
        """List agreements (practitioners and leads see their own agency's)."""
        page = paginate(agreements_query(args, current_user), args["page"], args["per_page"])
        page["items"] = [agreement_view(a) for a in page["items"]]
        return page

    @require_role(*MANAGERS)
    @blp.arguments(AgreementCreateSchema)
    @blp.response(201, AgreementSchema)
    def post(self, data):
        """Draft an agreement (version 1, status draft; every party must then sign)."""
        return _committed_view(service.create_agreement(data, current_user))


@blp.route("/<reference>")
class AgreementByReference(MethodView):
    @require_role(*ANY_ROLE)
    @blp.response(200, AgreementSchema)
    def get(self, reference):
        """Show an agreement: version in force, signatures, pending amendment, history."""
        agreement = get_agreement(reference)
        ensure_can_view_agreement(current_user, agreement)
        return agreement_view(agreement)

    @require_role(*MANAGERS)
    @blp.arguments(AgreementUpdateSchema(partial=True))
    @blp.response(200, AgreementSchema)
    def patch(self, changes, reference):
        """Edit a draft (clears its signatures) or amend an agreement in force (new version)."""
        return _committed_view(service.update_agreement(reference, changes, current_user))


@blp.route("/<reference>/signatures")
class Signatures(MethodView):
    @require_role(Role.AGENCY_LEAD)
    @blp.response(201, AgreementSchema)
    def post(self, reference):
        """Sign the version awaiting signatures for your agency."""
        return _committed_view(service.sign_agreement(reference, current_user))


@blp.route("/<reference>/suspend")
class Suspend(MethodView):
    @require_role(*MANAGERS)
    @blp.arguments(ReasonSchema)
    @blp.response(200, AgreementSchema)
    def post(self, data, reference):
        """Suspend an agreement in force."""
        agreement = service.suspend_agreement(reference, data["reason"], current_user)
        return _committed_view(agreement)


@blp.route("/<reference>/resume")
class Resume(MethodView):
    @require_role(*MANAGERS)
    @blp.arguments(OptionalReasonSchema)
    @blp.response(200, AgreementSchema)
    def post(self, data, reference):
        """Resume a suspended agreement."""
        agreement = service.resume_agreement(reference, data.get("reason"), current_user)
        return _committed_view(agreement)


@blp.route("/<reference>/terminate")
class Terminate(MethodView):
    @require_role(*MANAGERS)
    @blp.arguments(ReasonSchema)
    @blp.response(200, AgreementSchema)
    def post(self, data, reference):
        """Terminate an agreement for good."""
        agreement = service.terminate_agreement(reference, data["reason"], current_user)
        return _committed_view(agreement)
