"""Bearer tokens: sign in with email and password, sign out."""

from flask import g
from flask.views import MethodView
from flask_smorest import abort

from registry import audit
from registry.api.blueprint import Blueprint
from registry.api.schemas import TokenRequestSchema, TokenSchema
from registry.auth import ANY_ROLE, authenticate, issue_token, require_role, revoke_token
from registry.extensions import db, limiter
from registry.models import ApiToken

blp = Blueprint("tokens_api", __name__, url_prefix="/tokens", description="Bearer tokens")


@blp.route("")
class Tokens(MethodView):
    @limiter.limit(lambda: _login_limit(), methods=["POST"])
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.doc(security=[])
    def post(self, data):
        """Exchange an email and password for a bearer token."""
        user = authenticate(data["email"], data["password"])
        if user is None:
            db.session.rollback()
            abort(401, message="The email or password is not right.")
        token, record = issue_token(user)
        audit.record("token.issue", actor_id=user.id, target_type="token", target_id=record.id)
        db.session.commit()
        return {"token": token, "expires_at": record.expires_at}


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/current")
class CurrentToken(MethodView):
    @require_role(*ANY_ROLE)
    @blp.response(204)
    def delete(self):
        """Revoke the token this request was made with."""
        token_id = getattr(g, "api_token_id", None)
        record = None if token_id is None else db.session.get(ApiToken, token_id)
        if record is None:
            abort(401, message="This request was not made with a bearer token.")
        revoke_token(record)
        audit.record(
            "token.revoke", actor_id=record.user_id, target_type="token", target_id=record.id
        )
        db.session.commit()
