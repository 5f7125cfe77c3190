"""Sign in and out with a session cookie; repeated failed sign-ins are throttled."""

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user

from registry import audit
from registry.auth import authenticate
from registry.extensions import db, limiter
from registry.web.forms import EmptyForm, SignInForm
from registry.web.helpers import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: r.status_code != 302)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(user)
            audit.record("session.start", actor_id=user.id, target_type="user", target_id=user.id)
            db.session.commit()
            return redirect(safe_next(url_for("home.index")))
        db.session.rollback()
        form.form_errors.append("Enter a correct email address and password")
        form.email.errors = ["Enter a correct email address and password"]
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    EmptyForm()
    if current_user.is_authenticated:
        audit.record(
            "session.end", actor_id=current_user.id, target_type="user", target_id=current_user.id
        )
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.signed_out"))


@bp.route("/signed-out")
def signed_out():
    return render_template("auth/signed_out.html")
