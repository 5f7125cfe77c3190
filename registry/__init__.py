"""The Information Sharing Registry: app factory."""

from flask import Flask

from config import Config, config_from_environment


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the app from a config class (default: REGISTRY_CONFIG) plus overrides."""
    config = config or config_from_environment()
    if hasattr(config, "validate"):
        config.validate()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    _register_extensions(app)
    _register_blueprints(app)
    return app


def _register_extensions(app: Flask) -> None:
    from registry import async_commit, auth, database, errors, log_redaction
    from registry.extensions import db, limiter, migrate

    log_redaction.init_app(app)
    db.init_app(app)
    database.init_app(app)
    async_commit.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    limiter.init_app(app)
    auth.init_app(app)
    errors.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from registry import api, cli, health, web

    app.register_blueprint(health.bp)
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
