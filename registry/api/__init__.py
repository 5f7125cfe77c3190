"""The JSON API under /api/v1: token auth only, so exempt from CSRF."""

from flask import Blueprint, Flask
from swagger_ui_bundle import swagger_ui_path

from registry.extensions import api


def _blueprints() -> tuple:
    """The endpoints' blueprints, imported only when the app is built.

    The reports import `registry.api.schemas`; importing every endpoint module with the
    package would import the reports' API module, which needs the reports package: a cycle.
    """
    from registry.api import (
        agencies,
        agreements,
        audit,
        checks,
        consents,
        reports,
        tokens,
        users,
        vocabularies,
    )

    return (
        tokens.blp,
        vocabularies.blp,
        agencies.blp,
        users.blp,
        agreements.blp,
        consents.blp,
        checks.blp,
        audit.blp,
        reports.blp,
    )


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
            "info": {"description": "Information-sharing agreements, consent and share checks."},
        },
    )
    api.init_app(app)
    for blueprint in _blueprints():
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix}")
    # Swagger UI's files are served locally: nothing is fetched from a CDN.
    app.register_blueprint(
        Blueprint(
            "swagger_assets",
            __name__,
            static_folder=swagger_ui_path,
            static_url_path="/api/v1/docs-assets",
        )
    )
