"""Users: admins manage everyone; agency leads manage their own practitioners."""

from flask.views import MethodView
from flask_login import current_user

from registry.api.blueprint import Blueprint
from registry.api.schemas import (
    MAX_ID,
    UserCreateSchema,
    UserPageSchema,
    UserQueryArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from registry.auth import require_role
from registry.extensions import db
from registry.models import Role
from registry.queries import list_users
from registry.services.users import create_user, get_user, update_user

blp = Blueprint("users_api", __name__, url_prefix="/users", description="Users")
MANAGERS = (Role.ADMIN, Role.AGENCY_LEAD)


@blp.route("")
class Users(MethodView):
    @require_role(*MANAGERS)
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args):
        """List the users you manage."""
        return list_users(args, current_user)

    @require_role(*MANAGERS)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user (never returns the password)."""
        user = create_user(data, current_user)
        db.session.commit()
        return user


@blp.route(f"/<int(max={MAX_ID}):user_id>")
class UserById(MethodView):
    @require_role(*MANAGERS)
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """Show a user you manage."""
        return get_user(user_id, current_user)

    @require_role(*MANAGERS)
    @blp.arguments(UserUpdateSchema(partial=True))
    @blp.response(200, UserSchema)
    def patch(self, changes, user_id):
        """Rename, change the role of, or deactivate a user."""
        user = update_user(user_id, changes, current_user)
        db.session.commit()
        return user
