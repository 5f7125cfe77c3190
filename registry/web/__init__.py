"""The registry's pages: server-rendered GOV.UK-style forms over the same services as the API."""

from flask import Flask, abort, request
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from registry.api.schemas.common import storable
from registry.web import (
    admin,
    agencies,
    agreements,
    audit,
    auth,
    checks,
    consents,
    errors,
    filters,
    home,
    security,
)

csrf = CSRFProtect()
BLUEPRINTS = (
    auth.bp,
    home.bp,
    agencies.bp,
    agreements.bp,
    consents.bp,
    checks.bp,
    audit.bp,
    admin.bp,
)


def init_app(app: Flask) -> None:
    """Register the pages, CSRF, security headers and the HTML error pages."""
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    _init_csrf(app)
    app.before_request(_refuse_unstorable_input)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    filters.init_app(app)
    security.init_app(app)
    errors.init_app(app)


def _init_csrf(app: Flask) -> None:
    # The check is decided by path, like the rest of the API/page split: every /api/ blueprint
    # (including ones registered later) is bearer-token only and ignores the session cookie,
    # so it needs no CSRF token; every other form must carry one.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def _protect_forms():
        from flask import request

        if app.config.get("WTF_CSRF_ENABLED", True) and not request.path.startswith("/api/"):
            csrf.protect()


def _refuse_unstorable_input():
    """Pages pass filters and form fields on as typed, and PostgreSQL cannot even compare
    text that holds a NUL: such a request is a 400 naming the fields, not a 500. (The API's
    schemas refuse the same text field by field.)"""
    if request.path.startswith("/api/"):
        return
    fields = sorted(
        {
            name
            for sent in (request.args, request.form)
            for name, values in sent.lists()
            if not all(storable(value) for value in values)
        }
    )
    if fields:
        abort(
            400,
            f"A NUL character cannot be stored or looked up. Remove it from: {', '.join(fields)}.",
        )
