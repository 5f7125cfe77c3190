"""Agencies: anyone signed in reads them; admins create and change them."""

from flask.views import MethodView
from flask_login import current_user

from registry.api.blueprint import Blueprint
from registry.api.schemas import (
    AgencyCreateSchema,
    AgencyPageSchema,
    AgencyQueryArgsSchema,
    AgencySchema,
    AgencyUpdateSchema,
)
from registry.auth import ANY_ROLE, require_role
from registry.extensions import db
from registry.models import Role
from registry.queries import list_agencies
from registry.services.agencies import create_agency, update_agency
from registry.services.lookups import get_agency

blp = Blueprint("agencies_api", __name__, url_prefix="/agencies", description="Agencies")


@blp.route("")
class Agencies(MethodView):
    @require_role(*ANY_ROLE)
    @blp.arguments(AgencyQueryArgsSchema, location="query")
    @blp.response(200, AgencyPageSchema)
    def get(self, args):
        """List agencies."""
        return list_agencies(args)

    @require_role(Role.ADMIN)
    @blp.arguments(AgencyCreateSchema)
    @blp.response(201, AgencySchema)
    def post(self, data):
        """Register an agency."""
        agency = create_agency(data, current_user)
        db.session.commit()
        return agency


@blp.route("/<code>")
class AgencyByCode(MethodView):
    @require_role(*ANY_ROLE)
    @blp.response(200, AgencySchema)
    def get(self, code):
        """Show one agency."""
        return get_agency(code)

    @require_role(Role.ADMIN)
    @blp.arguments(AgencyUpdateSchema(partial=True))
    @blp.response(200, AgencySchema)
    def patch(self, changes, code):
        """Change an agency, including deactivating it (`active: false`)."""
        agency = update_agency(code, changes, current_user)
        db.session.commit()
        return agency
